/* The request wizard (SPEC 15): every parameter of {{Partnership request}} as a
 * labelled field with the help and example of the template's TemplateData,
 * required ones checked as you type, the licence chosen from the hub's licences,
 * a preview of the request as the wiki renders it, then saved as the person
 * using it. On an existing request it changes only the parameters edited. */
( function () {
	'use strict';
	var cph = window.cphForms = window.cphForms || {};
	var ui = cph.ui;
	var wt = cph.wikitext;
	var el = ui.el;
	var msg = ui.msg;

	var COLUMN = '__column__';
	// Parameters the wizard places itself, by section; any other parameter of the
	// template (but approve, which only reviewers set) goes to "more".
	var SECTIONS = [
		{ key: 'data', params: [ 'partner', 'source', 'format', 'id', 'file' ] },
		{ key: 'licence', params: [ 'license', 'license_column' ] },
		{ key: 'pages', params: [ 'template', 'title', 'source_url', 'work_title', 'description',
			'author', 'artist', 'photographer', 'date', 'categories' ] },
		{ key: 'fields', collapsed: true, fields: true },
		{ key: 'mapping', params: [ 'mapped', 'split' ] },
		{ key: 'running', params: [ 'limit', 'pause', 'sync' ] },
		{ key: 'oai', collapsed: true, params: [ 'set', 'from', 'until', 'metadata_prefix' ] },
		{ key: 'iiif', collapsed: true, params: [ 'records', 'language' ] },
		{ key: 'more', collapsed: true, rest: true }
	];
	var HIDDEN = [ 'approve' ];
	var COLUMNS = [ 'id', 'file', 'license_column', 'mapped' ];
	var YES_NO = [ 'pause', 'sync' ];

	function Wizard( ctx ) {
		this.ctx = ctx; // {config, root, name, title, page, td}
		this.fields = {}; // TemplateData name -> {input, error, row, param}
		this.original = {}; // TemplateData name -> value on the page (edit mode)
		this.written = {}; // TemplateData name -> the name as the page writes it
		this.touched = {};
	}

	Wizard.prototype.keyOf = function ( name ) {
		var key = wt.nameKey( name );
		var td = this.ctx.td.params;
		var found = null;
		Object.keys( td ).some( function ( tdName ) {
			var aliases = ( td[ tdName ].aliases || [] ).map( wt.nameKey );
			if ( wt.nameKey( tdName ) === key || aliases.indexOf( key ) !== -1 ) {
				found = tdName;
				return true;
			}
			return false;
		} );
		return found;
	};

	/** Which TemplateData names are fields of a file page template, and of which. */
	Wizard.prototype.templateOf = function ( name ) {
		var templates = this.ctx.config.templates;
		var key = wt.nameKey( name );
		var inAny = false;
		var current = this.value( 'template' ) || 'Information';
		var inCurrent = false;
		Object.keys( templates ).forEach( function ( template ) {
			var has = templates[ template ].some( function ( f ) {
				return wt.nameKey( f ) === key;
			} );
			inAny = inAny || has;
			inCurrent = inCurrent || ( has && template.toLowerCase() === current.toLowerCase() );
		} );
		return { field: inAny, shown: !inAny || inCurrent };
	};

	Wizard.prototype.value = function ( name ) {
		var field = this.fields[ name ];
		if ( !field ) {
			return this.original[ name ] || '';
		}
		var input = field.input;
		if ( input.type === 'checkbox' ) {
			return input.checked ? 'yes' : '';
		}
		if ( name === 'license' && input.value === COLUMN ) {
			return '';
		}
		return input.value.trim();
	};

	Wizard.prototype.input = function ( name, param ) {
		var config = this.ctx.config;
		var self = this;
		var id = 'cph-field-' + name.replace( /[^A-Za-z0-9_]+/g, '-' );
		var options = null;
		if ( name === 'license' ) {
			options = [ [ '', msg( 'cph-forms-licence-choose' ) ] ].concat( config.licences.map( function ( l ) {
				return [ l, l ];
			} ) ).concat( [ [ COLUMN, msg( 'cph-forms-licence-column' ) ] ] );
		} else if ( name === 'format' ) {
			options = [ [ '', msg( 'cph-forms-format-detect' ) ] ].concat( config.formats.map( function ( f ) {
				return [ f, f ];
			} ) );
		} else if ( name === 'template' ) {
			options = Object.keys( config.templates ).map( function ( t ) {
				return [ t, t ];
			} );
		} else if ( name === 'records' ) {
			options = [ [ '', '' ], [ 'canvas', 'canvas' ], [ 'manifest', 'manifest' ] ];
		}
		var input;
		if ( options ) {
			input = el( 'select', { id: id, class: 'cph-input' }, options.map( function ( o ) {
				return el( 'option', { value: o[ 0 ], text: o[ 1 ] } );
			} ) );
		} else if ( YES_NO.indexOf( name ) !== -1 ) {
			input = el( 'input', { id: id, type: 'checkbox', class: 'cph-checkbox' } );
		} else if ( param.type === 'content' ) {
			input = el( 'textarea', { id: id, class: 'cph-input', rows: 2 } );
		} else {
			input = el( 'input', {
				id: id, class: 'cph-input', type: name === 'limit' ? 'number' : 'text',
				min: name === 'limit' ? 1 : null, dir: 'auto'
			} );
		}
		input.setAttribute( 'name', name );
		if ( param.example && !options && input.type !== 'checkbox' ) {
			input.setAttribute( 'placeholder', param.example );
		}
		var event = input.tagName === 'SELECT' || input.type === 'checkbox' ? 'change' : 'input';
		input.addEventListener( event, function () {
			self.touched[ name ] = true;
			self.changed( name );
		} );
		input.addEventListener( 'blur', function () {
			self.touched[ name ] = true;
			self.check( name );
		} );
		return input;
	};

	Wizard.prototype.field = function ( name ) {
		var param = this.ctx.td.params[ name ];
		var input = this.input( name, param );
		var required = this.required( name );
		var error = el( 'div', { class: 'cph-field-error', 'aria-live': 'polite' } );
		var help = el( 'div', { class: 'cph-field-help' }, [
			param.description || '',
			param.example ? el( 'span', { class: 'cph-example' }, [
				' ' + msg( 'cph-forms-example' ) + ' ', el( 'code', { text: param.example } )
			] ) : null
		] );
		var label = el( 'label', { for: input.id, class: 'cph-label' }, [
			param.label || name,
			' ',
			el( 'span', { class: 'cph-param-name', text: name } ),
			required ? el( 'span', { class: 'cph-required', text: msg( 'cph-forms-required-mark' ) } ) : null
		] );
		var row = el( 'div', { class: 'cph-field' + ( input.type === 'checkbox' ? ' cph-field-check' : '' ) },
			input.type === 'checkbox' ? [ el( 'div', { class: 'cph-check-line' }, [ input, label ] ), help, error ] :
				[ label, help, input, error ] );
		input.setAttribute( 'aria-describedby', error.id = input.id + '-error' );
		this.fields[ name ] = { input: input, error: error, row: row, param: param };
		return row;
	};

	Wizard.prototype.required = function ( name ) {
		var param = this.ctx.td.params[ name ] || {};
		return !!param.required || this.ctx.config.required.indexOf( name ) !== -1;
	};

	/** What is wrong with a field's value, in words ('' when nothing). */
	Wizard.prototype.problem = function ( name ) {
		var value = this.value( name );
		var field = this.fields[ name ];
		if ( name === 'license' ) {
			var byColumn = field.input.value === COLUMN;
			if ( !value && !byColumn ) {
				return msg( 'cph-forms-check-license' );
			}
			return '';
		}
		if ( name === 'license_column' && this.fields.license && this.fields.license.input.value === COLUMN && !value ) {
			return msg( 'cph-forms-check-license-column' );
		}
		if ( !value ) {
			return this.required( name ) ? msg( 'cph-forms-check-required' ) : '';
		}
		if ( name === 'source' && /:\/\//.test( value ) && !/^https?:\/\/\S+$/i.test( value ) ) {
			return msg( 'cph-forms-check-source' );
		}
		if ( COLUMNS.indexOf( name ) !== -1 && /[{}]/.test( value ) ) {
			return msg( 'cph-forms-check-column' );
		}
		if ( name === 'title' && !/\{[^{}]+\}/.test( value ) ) {
			return msg( 'cph-forms-check-title' );
		}
		if ( name === 'limit' && !/^[1-9][0-9]*$/.test( value ) ) {
			return msg( 'cph-forms-check-limit' );
		}
		if ( ( name === 'title' || this.templateOf( name ).field ) && wt.markupProblem( value ) ) {
			return msg( 'cph-forms-check-markup' );
		}
		return '';
	};

	Wizard.prototype.check = function ( name ) {
		var field = this.fields[ name ];
		if ( !field ) {
			return '';
		}
		var problem = field.row.hidden ? '' : this.problem( name );
		var show = problem && ( this.touched[ name ] || this.checkedAll );
		field.error.textContent = show ? problem : '';
		field.row.classList.toggle( 'cph-invalid', !!show );
		field.input.setAttribute( 'aria-invalid', show ? 'true' : 'false' );
		return problem;
	};

	Wizard.prototype.changed = function ( name ) {
		this.check( name );
		if ( this.checkedAll ) {
			this.listProblems( this.problems() );
		}
		if ( name === 'template' ) {
			this.showFields();
		}
		if ( name === 'license' || name === 'license_column' ) {
			this.fields.license_column.row.hidden = this.fields.license.input.value !== COLUMN &&
				!this.value( 'license_column' );
			this.check( 'license' );
			this.check( 'license_column' );
		}
	};

	/** Show the fields of the chosen file page template only. */
	Wizard.prototype.showFields = function () {
		var self = this;
		Object.keys( this.fields ).forEach( function ( name ) {
			if ( self.templateOf( name ).field ) {
				self.fields[ name ].row.hidden = !self.templateOf( name ).shown && !self.original[ name ];
			}
		} );
		this.sections.forEach( function ( section ) {
			var visible = Array.prototype.some.call( section.rows, function ( row ) {
				return !row.hidden;
			} );
			section.node.hidden = !visible;
		} );
	};

	Wizard.prototype.sectionParams = function ( section, placed ) {
		var td = this.ctx.td;
		var self = this;
		var order = td.paramOrder || Object.keys( td.params );
		if ( section.params ) {
			return section.params.filter( function ( p ) {
				return td.params[ p ];
			} );
		}
		return order.filter( function ( p ) {
			if ( placed[ p ] || HIDDEN.indexOf( p ) !== -1 ) {
				return false;
			}
			var isField = self.templateOf( p ).field;
			return section.fields ? isField : !isField;
		} );
	};

	Wizard.prototype.build = function () {
		var self = this;
		var ctx = this.ctx;
		var placed = {};
		this.sections = [];
		var form = el( 'form', {
			class: 'cph-form cph-wizard', novalidate: true, dir: ui.dir(), lang: ui.lang(),
			onsubmit: function ( e ) {
				e.preventDefault();
			} } );
		form.appendChild( el( 'h2', { class: 'cph-title', text: msg(
			ctx.page.exists ? 'cph-forms-wizard-title-edit' : 'cph-forms-wizard-title', ctx.name ) } ) );
		form.appendChild( el( 'p', { class: 'cph-intro' }, [
			msg( 'cph-forms-wizard-intro' ) + ' ',
			ui.link( ctx.root + '/Help', msg( 'cph-forms-help-link' ) )
		] ) );
		this.summary = el( 'div', { class: 'cph-summary', hidden: true } );
		form.appendChild( this.summary );
		SECTIONS.forEach( function ( section ) {
			var names = self.sectionParams( section, placed );
			if ( !names.length ) {
				return;
			}
			names.forEach( function ( n ) {
				placed[ n ] = true;
			} );
			var rows = names.map( function ( n ) {
				return self.field( n );
			} );
			var title = msg( 'cph-forms-section-' + section.key );
			var node = section.collapsed ?
				el( 'details', { class: 'cph-section cph-section-' + section.key }, [ el( 'summary', { text: title } ) ].concat( rows ) ) :
				el( 'fieldset', { class: 'cph-section cph-section-' + section.key }, [ el( 'legend', { text: title } ) ].concat( rows ) );
			self.sections.push( { node: node, rows: rows } );
			form.appendChild( node );
		} );
		this.actions = el( 'div', { class: 'cph-actions' }, [
			ui.button( msg( 'cph-forms-preview' ), 'primary', function () {
				self.preview();
			}, { 'data-cph': 'preview' } ),
			' ',
			el( 'a', { class: 'cph-wikitext-link', href: '#', text: msg( 'cph-forms-wikitext-instead' ), onclick: function ( e ) {
				e.preventDefault();
				self.ctx.showEditor();
			} } )
		] );
		form.appendChild( this.actions );
		this.form = form;
		this.previewBox = el( 'div', { class: 'cph-form cph-wizard-preview', hidden: true, dir: ui.dir() } );
		return el( 'div', { class: 'cph-wizard-wrap' }, [ form, this.previewBox ] );
	};

	Wizard.prototype.fill = function () {
		var self = this;
		var page = this.ctx.page;
		if ( page.exists ) {
			var tpl = wt.findTemplates( page.text, this.ctx.config.request_template )[ 0 ];
			var values = tpl ? wt.paramValues( tpl ) : {};
			Object.keys( values ).forEach( function ( written ) {
				var name = self.keyOf( written );
				if ( name ) {
					self.original[ name ] = values[ written ];
					self.written[ name ] = written;
				}
			} );
			if ( !this.original.template && this.fields.template ) {
				// no template on the page: keep it so (the bot's default applies)
				var fallback = this.ctx.td.params.template.default || 'Information';
				this.fields.template.input.insertBefore( el( 'option', { value: '', text: fallback } ),
					this.fields.template.input.firstChild );
			}
		} else {
			this.original = { template: 'Information', limit: '10' };
		}
		Object.keys( this.fields ).forEach( function ( name ) {
			var input = self.fields[ name ].input;
			var value = self.original[ name ] || '';
			if ( input.type === 'checkbox' ) {
				input.checked = value.toLowerCase() === 'yes';
			} else if ( input.tagName === 'SELECT' ) {
				var match = Array.prototype.filter.call( input.options, function ( o ) {
					return o.value.toLowerCase() === value.toLowerCase();
				} )[ 0 ];
				if ( match ) {
					input.value = match.value;
				} else if ( value ) {
					input.appendChild( el( 'option', { value: value, text: value } ) );
					input.value = value;
				}
			} else {
				input.value = value;
			}
		} );
		if ( !this.original.license && this.original.license_column ) {
			this.fields.license.input.value = COLUMN;
		}
		this.changed( 'license' );
		this.showFields();
	};

	Wizard.prototype.problems = function () {
		var self = this;
		return Object.keys( this.fields ).filter( function ( name ) {
			return self.check( name );
		} );
	};

	/** The list of fields still to fix, above the form (gone once all are fixed). */
	Wizard.prototype.listProblems = function ( bad ) {
		var self = this;
		this.summary.textContent = '';
		this.summary.hidden = !bad.length;
		if ( !bad.length ) {
			return;
		}
		this.summary.appendChild( ui.notice( 'error', [
			msg( 'cph-forms-fix-first', bad.length ),
			el( 'ul', {}, bad.map( function ( name ) {
				return el( 'li', {}, [ el( 'a', { href: '#' + self.fields[ name ].input.id, text: self.fields[ name ].param.label || name,
					onclick: function ( e ) {
						e.preventDefault();
						self.openTo( name );
					} } ) ] );
			} ) )
		] ) );
	};

	/** Check every field; show the problems and return how many there are. */
	Wizard.prototype.checkAll = function () {
		this.checkedAll = true;
		var bad = this.problems();
		this.listProblems( bad );
		if ( bad.length ) {
			this.openTo( bad[ 0 ] );
		}
		return bad.length;
	};

	Wizard.prototype.openTo = function ( name ) {
		var row = this.fields[ name ].row;
		var details = row.closest( 'details' );
		if ( details ) {
			details.open = true;
		}
		this.fields[ name ].input.focus();
	};

	/** The parameters to write: TemplateData name -> value (escaped for a template). */
	Wizard.prototype.values = function () {
		var self = this;
		var out = {};
		Object.keys( this.fields ).forEach( function ( name ) {
			if ( self.fields[ name ].row.hidden && !self.original[ name ] ) {
				return;
			}
			out[ name ] = wt.escapePipes( self.value( name ) );
		} );
		return out;
	};

	Wizard.prototype.newText = function () {
		var values = this.values();
		var names = Object.keys( values ).filter( function ( n ) {
			return values[ n ];
		} );
		var width = Math.max.apply( null, [ 11 ].concat( names.map( function ( n ) {
			return n.length < 16 ? n.length : 0;
		} ) ) );
		var lines = names.map( function ( n ) {
			var padded = n;
			while ( padded.length < width ) {
				padded += ' ';
			}
			return ' |' + padded + ' = ' + values[ n ];
		} );
		return '{{' + this.ctx.config.request_template + '\n' + lines.join( '\n' ) + '\n}}\n';
	};

	/** The changed parameters, under the names the page writes them with. */
	Wizard.prototype.changes = function () {
		var self = this;
		var values = this.values();
		var changes = {};
		Object.keys( values ).forEach( function ( name ) {
			if ( values[ name ] !== wt.escapePipes( self.original[ name ] || '' ) &&
				values[ name ] !== ( self.original[ name ] || '' ) ) {
				changes[ self.written[ name ] || name ] = values[ name ];
			}
		} );
		return changes;
	};

	Wizard.prototype.text = function ( base ) {
		if ( !this.ctx.page.exists ) {
			return this.newText();
		}
		return wt.setParams( base.text, this.ctx.config.request_template, this.changes() );
	};

	Wizard.prototype.preview = function () {
		var self = this;
		if ( this.checkAll() ) {
			return;
		}
		if ( this.ctx.page.exists && !Object.keys( this.changes() ).length ) {
			this.summary.hidden = false;
			this.summary.textContent = '';
			this.summary.appendChild( ui.notice( 'notice', msg( 'cph-forms-nothing-changed' ) ) );
			return;
		}
		var text = this.text( this.ctx.page );
		var box = this.previewBox;
		box.textContent = '';
		box.hidden = false;
		this.form.hidden = true;
		box.appendChild( el( 'h2', { class: 'cph-title', text: msg( 'cph-forms-preview-title', this.ctx.name ) } ) );
		box.appendChild( el( 'p', { class: 'cph-intro', text: msg( 'cph-forms-preview-intro' ) } ) );
		var rendered = el( 'div', { class: 'cph-rendered', text: msg( 'cph-forms-loading' ) } );
		box.appendChild( rendered );
		box.appendChild( el( 'details', { class: 'cph-source' }, [
			el( 'summary', { text: msg( 'cph-forms-preview-wikitext' ) } ),
			el( 'pre', { class: 'cph-wikitext', text: text } )
		] ) );
		this.result = el( 'div', { class: 'cph-result' } );
		box.appendChild( this.result );
		this.saveButton = ui.button( msg( this.ctx.page.exists ? 'cph-forms-save-changes' : 'cph-forms-save' ), 'primary', function () {
			self.save();
		}, { 'data-cph': 'save' } );
		box.appendChild( el( 'div', { class: 'cph-actions' }, [
			this.saveButton, ' ',
			ui.button( msg( 'cph-forms-back' ), '', function () {
				box.hidden = true;
				self.form.hidden = false;
			}, { 'data-cph': 'back' } )
		] ) );
		box.scrollIntoView();
		ui.call( 'post', {
			action: 'parse', title: this.ctx.title, text: text, pst: 1, preview: 1, prop: 'text',
			contentmodel: 'wikitext', disablelimitreport: 1, disableeditsection: 1
		} ).then( function ( data ) {
			// the wiki's own rendering of the page, as the wiki would show it
			rendered.innerHTML = data.parse.text;
			rendered.classList.add( 'cph-rendered-done' );
		}, function ( error ) {
			rendered.textContent = ui.failure( error );
		} );
	};

	Wizard.prototype.summaryText = function () {
		if ( !this.ctx.page.exists ) {
			return msg( 'cph-forms-summary-new' );
		}
		return msg( 'cph-forms-summary-changed', Object.keys( this.changes() ).join( ', ' ) );
	};

	Wizard.prototype.save = function () {
		var self = this;
		var ctx = this.ctx;
		this.saveButton.disabled = true;
		this.result.textContent = '';
		var attempt = function ( page, again ) {
			return ui.savePage( page, self.text( page ), self.summaryText() ).catch( function ( error ) {
				if ( error.code === 'editconflict' && again ) {
					// someone saved the request meanwhile: apply the same changes to their text
					return ui.readPage( ctx.title ).then( function ( fresh ) {
						return attempt( fresh, false );
					} );
				}
				throw error;
			} );
		};
		attempt( ctx.page, ctx.page.exists ).then( function () {
			self.result.appendChild( ui.notice( 'success', msg( 'cph-forms-saved' ) ) );
			window.location.href = mw.util.getUrl( ctx.title, { cphsaved: 'request' } );
		}, function ( error ) {
			self.saveButton.disabled = false;
			var text = error.code === 'articleexists' ? msg( 'cph-forms-error-exists', ctx.name ) : ui.failure( error );
			self.result.appendChild( ui.notice( 'error', text ) );
		} );
	};

	/** Put the wizard in place of the wiki's editor (which stays one click away). */
	cph.startWizard = function ( ctx ) {
		var content = document.getElementById( 'mw-content-text' );
		var hidden = Array.prototype.slice.call( content.children );
		var language = mw.config.get( 'wgUserLanguage' );
		return Promise.all( [
			ui.call( 'get', { action: 'templatedata', titles: 'Template:' + ctx.config.request_template, lang: language, redirects: 1 } ),
			ui.readPage( ctx.title )
		] ).then( function ( answers ) {
			var pages = answers[ 0 ].pages || {};
			var td = pages[ Object.keys( pages )[ 0 ] ];
			if ( !td || !td.params ) {
				return;
			}
			ctx.td = td;
			ctx.page = answers[ 1 ];
			var wrap;
			ctx.showEditor = function () {
				hidden.forEach( function ( node ) {
					node.hidden = false;
				} );
				wrap.remove();
			};
			var wizard = new Wizard( ctx );
			wrap = wizard.build();
			hidden.forEach( function ( node ) {
				node.hidden = true;
			} );
			content.insertBefore( wrap, content.firstChild );
			wizard.fill();
			return wizard;
		} );
	};
}() );

/* The mapping editor (SPEC 15): one form row per value of a mapping table. The
 * Wikidata cell is filled with one click from the bot's suggestions or from a
 * search of the hub's Wikibase; categories are completed from the wiki's
 * categories. Saving changes only the cells edited: every other cell, row and
 * note of the page stays byte for byte (the bot merges these pages too). */
( function () {
	'use strict';
	var cph = window.cphForms = window.cphForms || {};
	var ui = cph.ui;
	var wt = cph.wikitext;
	var el = ui.el;
	var msg = ui.msg;

	var CELLS = [ 'categories', 'wikidata', 'text' ];
	var PAGE = 100; // rows shown at a time
	var QID = /^Q[1-9][0-9]*$/;

	/** The Wikibase to search: this wiki, or another one's api.php (read anonymously). */
	function searchItems( config, text ) {
		var api = config.wikibase && config.wikibase.api;
		var params = {
			action: 'wbsearchentities', search: text, type: 'item', limit: 7,
			language: mw.config.get( 'wgUserLanguage' ), uselang: mw.config.get( 'wgUserLanguage' ),
			strictlanguage: false
		};
		var answer;
		if ( !api ) {
			answer = ui.call( 'get', params );
		} else if ( !/^https?:\/\//i.test( api ) ) {
			return Promise.resolve( [] );
		} else {
			var query = Object.keys( params ).map( function ( k ) {
				return encodeURIComponent( k ) + '=' + encodeURIComponent( params[ k ] );
			} ).join( '&' );
			answer = fetch( api + '?' + query + '&format=json&formatversion=2&origin=*' ).then( function ( r ) {
				return r.json();
			} );
		}
		return answer.then( function ( data ) {
			return ( data.search || [] ).map( function ( hit ) {
				return {
					value: hit.id,
					label: hit.label || hit.id,
					note: hit.id,
					description: hit.description || ''
				};
			} );
		} );
	}

	/** "Last, First" is searched as "First Last" too, as the bot's suggestions are. */
	function searchText( value ) {
		var parts = value.split( ',' );
		return parts.length === 2 && parts[ 1 ].trim() ? parts[ 1 ].trim() + ' ' + parts[ 0 ].trim() : value;
	}

	/** The bot's suggestions cell: "Q123 (label; description), Q456 (label)". */
	function parseSuggestions( cell ) {
		var found = [];
		var re = /(Q[1-9][0-9]*)(?:\s*\(((?:[^()]|\([^()]*\))*)\))?/g;
		var m;
		while ( ( m = re.exec( cell || '' ) ) ) {
			var inside = m[ 2 ] || '';
			var cut = inside.indexOf( ';' );
			found.push( {
				value: m[ 1 ],
				label: ( cut === -1 ? inside : inside.slice( 0, cut ) ).trim() || m[ 1 ],
				description: cut === -1 ? '' : inside.slice( cut + 1 ).trim()
			} );
		}
		return found;
	}

	function itemUrl( config, qid ) {
		var api = config.wikibase && config.wikibase.api;
		if ( !api ) {
			return mw.util.getUrl( 'Special:EntityPage/' + qid );
		}
		return api.replace( /api\.php$/, 'index.php' ) + '?title=Special:EntityPage/' + qid;
	}

	/** Categories whose names start like the last name typed in a ";"-separated cell. */
	function searchCategories( text ) {
		var cut = text.lastIndexOf( ';' );
		var before = cut === -1 ? '' : text.slice( 0, cut + 1 ) + ' ';
		var typed = text.slice( cut + 1 ).replace( /^\s*:?\s*category\s*:/i, '' ).trim();
		if ( !typed ) {
			return Promise.resolve( [] );
		}
		return ui.call( 'get', { action: 'query', list: 'allpages', apnamespace: 14, apprefix: typed, aplimit: 8 } )
			.then( function ( data ) {
				return data.query.allpages.map( function ( page ) {
					var name = page.title.replace( /^[^:]*:/, '' );
					return { value: ( before + name ).trim(), label: name };
				} );
			} );
	}

	function Editor( ctx ) {
		this.ctx = ctx; // {config, root, name, column, title, page}
		this.rows = [];
		this.shown = PAGE;
	}

	Editor.prototype.cellProblem = function ( cell, value ) {
		if ( !value || value === '-' ) {
			return '';
		}
		if ( cell === 'wikidata' && !QID.test( value ) ) {
			return msg( 'cph-forms-mapping-check-qid' );
		}
		if ( cell === 'categories' && /[[\]{}|#<>]/.test( value ) ) {
			return msg( 'cph-forms-mapping-check-categories' );
		}
		if ( cell === 'text' && wt.markupProblem( value ) ) {
			return msg( 'cph-forms-check-markup' );
		}
		return '';
	};

	Editor.prototype.wikidataCell = function ( row ) {
		var self = this;
		var config = this.ctx.config;
		var input = el( 'input', { class: 'cph-input cph-qid', type: 'text', dir: 'ltr', 'aria-label': msg( 'cph-forms-mapping-wikidata' ),
			placeholder: msg( 'cph-forms-mapping-wikidata-placeholder' ) } );
		var chosen = el( 'div', { class: 'cph-chosen' } );
		var cell = el( 'div', { class: 'cph-cell cph-cell-wikidata' }, [ input ] );
		function choose( item ) {
			input.value = item.value;
			chosen.textContent = '';
			chosen.appendChild( el( 'a', { href: itemUrl( config, item.value ), target: '_blank', text: item.label } ) );
			if ( item.description ) {
				chosen.appendChild( document.createTextNode( ' – ' + item.description ) );
			}
			self.edited( row );
		}
		row.choose = choose;
		var list = ui.suggest( input, function ( text ) {
			text = text.trim();
			return text && !QID.test( text ) ? searchItems( config, text ) : Promise.resolve( [] );
		}, choose );
		input.addEventListener( 'input', function () {
			chosen.textContent = '';
			self.edited( row );
		} );
		var suggestions = parseSuggestions( wt.decodeValue( row.data.cells.suggestions || '' ) );
		var chips = el( 'div', { class: 'cph-chips' } );
		suggestions.forEach( function ( s ) {
			chips.appendChild( el( 'button', { type: 'button', class: 'cph-chip', title: s.description || s.value,
				onclick: function () {
					choose( s );
				} }, [ el( 'span', { class: 'cph-chip-label', text: s.label } ), ' ', el( 'span', { class: 'cph-chip-id', text: s.value } ) ] ) );
		} );
		chips.appendChild( el( 'button', { type: 'button', class: 'cph-chip cph-chip-search', onclick: function () {
			input.value = searchText( row.data.value );
			input.focus();
			list.ask( input.value );
		} }, [ msg( 'cph-forms-mapping-search', searchText( row.data.value ) ) ] ) );
		cell.appendChild( chips );
		cell.appendChild( chosen );
		row.inputs.wikidata = input;
		return cell;
	};

	Editor.prototype.row = function ( data ) {
		var self = this;
		var row = { data: data, inputs: {}, original: {} };
		CELLS.forEach( function ( c ) {
			row.original[ c ] = data.cells[ c ] || '';
		} );
		var categories = el( 'input', { class: 'cph-input', type: 'text', dir: 'auto', 'aria-label': msg( 'cph-forms-mapping-categories' ),
			placeholder: msg( 'cph-forms-mapping-categories-placeholder' ) } );
		row.inputs.categories = categories;
		var text = el( 'input', { class: 'cph-input', type: 'text', dir: 'auto', 'aria-label': msg( 'cph-forms-mapping-text' ) } );
		row.inputs.text = text;
		row.error = el( 'div', { class: 'cph-field-error' } );
		var catCell = el( 'div', { class: 'cph-cell' }, [ categories ] );
		row.node = el( 'tr', { class: 'cph-mapping-form-row', 'data-value': data.value }, [
			el( 'td', { class: 'cph-value' }, [
				el( 'span', { class: 'cph-value-text', dir: 'auto', text: data.value } ),
				el( 'span', { class: 'cph-count', text: msg( 'cph-forms-mapping-count', data.count ) } )
			] ),
			el( 'td', {}, [ catCell ] ),
			el( 'td', {}, [ this.wikidataCell( row ) ] ),
			el( 'td', {}, [ el( 'div', { class: 'cph-cell' }, [ text ] ), row.error ] )
		] );
		CELLS.forEach( function ( c ) {
			row.inputs[ c ].value = row.original[ c ];
		} );
		ui.suggest( categories, searchCategories, function ( item ) {
			categories.value = item.value;
			self.edited( row );
		} );
		[ categories, text ].forEach( function ( input ) {
			input.addEventListener( 'input', function () {
				self.edited( row );
			} );
		} );
		this.mark( row );
		return row;
	};

	Editor.prototype.changesOf = function ( row ) {
		var changes = {};
		CELLS.forEach( function ( c ) {
			var value = row.inputs[ c ].value.replace( /\s*\n\s*/g, ' ' ).trim();
			if ( c === 'wikidata' ) {
				value = value.toUpperCase();
			}
			if ( value !== row.original[ c ] ) {
				changes[ c ] = c === 'text' ? wt.escapePipes( value ) : value;
			}
		} );
		return changes;
	};

	Editor.prototype.mark = function ( row ) {
		var filled = CELLS.some( function ( c ) {
			return row.inputs[ c ].value.trim();
		} );
		row.node.classList.toggle( 'cph-unmapped', !filled );
		row.node.classList.toggle( 'cph-changed', Object.keys( this.changesOf( row ) ).length > 0 );
	};

	Editor.prototype.edited = function ( row ) {
		var self = this;
		this.mark( row );
		var problems = CELLS.map( function ( c ) {
			return self.cellProblem( c, row.inputs[ c ].value.trim() );
		} ).filter( Boolean );
		row.error.textContent = problems.join( ' ' );
		row.node.classList.toggle( 'cph-invalid', problems.length > 0 );
		this.updateBar();
	};

	Editor.prototype.changed = function () {
		var self = this;
		return this.rows.filter( function ( row ) {
			return Object.keys( self.changesOf( row ) ).length;
		} );
	};

	Editor.prototype.updateBar = function () {
		var n = this.changed().length;
		this.count.textContent = n ? msg( 'cph-forms-mapping-changed', n ) : msg( 'cph-forms-mapping-unchanged' );
		this.saveButton.disabled = !n;
		this.bar.classList.toggle( 'cph-bar-active', n > 0 );
	};

	Editor.prototype.filter = function () {
		var self = this;
		var only = this.onlyUnmapped.checked;
		var find = this.find.value.trim().toLowerCase();
		var shown = 0;
		this.rows.forEach( function ( row ) {
			var match = ( !only || row.node.classList.contains( 'cph-unmapped' ) || row.node.classList.contains( 'cph-changed' ) ) &&
				( !find || row.data.value.toLowerCase().indexOf( find ) !== -1 );
			row.node.hidden = !match || shown >= self.shown;
			shown += match ? 1 : 0;
		} );
		this.more.hidden = shown <= this.shown;
		this.more.textContent = msg( 'cph-forms-mapping-more', Math.min( PAGE, shown - this.shown ) );
	};

	Editor.prototype.build = function () {
		var self = this;
		var ctx = this.ctx;
		var rows = wt.mappingRows( ctx.page.text );
		var body = el( 'tbody' );
		this.rows = rows.map( function ( data ) {
			var row = self.row( data );
			body.appendChild( row.node );
			return row;
		} );
		this.onlyUnmapped = el( 'input', { type: 'checkbox', id: 'cph-only-unmapped', onchange: function () {
			self.filter();
		} } );
		this.find = el( 'input', { type: 'search', class: 'cph-input cph-find', placeholder: msg( 'cph-forms-mapping-find' ),
			'aria-label': msg( 'cph-forms-mapping-find' ), oninput: function () {
				self.filter();
			} } );
		this.more = ui.button( '', '', function () {
			self.shown += PAGE;
			self.filter();
		} );
		this.count = el( 'span', { class: 'cph-bar-count' } );
		this.summaryInput = el( 'input', { type: 'text', class: 'cph-input cph-edit-summary', 'aria-label': msg( 'cph-forms-mapping-summary' ),
			placeholder: msg( 'cph-forms-mapping-summary' ) } );
		this.saveButton = ui.button( msg( 'cph-forms-mapping-save' ), 'primary', function () {
			self.save();
		}, { 'data-cph': 'save-mapping' } );
		this.result = el( 'div', { class: 'cph-result' } );
		this.bar = el( 'div', { class: 'cph-savebar' }, [ this.count, this.summaryInput, this.saveButton ] );
		var form = el( 'div', { class: 'cph-form cph-mapping-form', dir: ui.dir(), lang: ui.lang() }, [
			el( 'h2', { class: 'cph-title', text: msg( 'cph-forms-mapping-title', ctx.column, ctx.name ) } ),
			el( 'p', { class: 'cph-intro' }, [ msg( 'cph-forms-mapping-intro' ) + ' ', ui.link( ctx.root + '/Help/Mappings', msg( 'cph-forms-help-link' ) ) ] ),
			el( 'div', { class: 'cph-toolbar' }, [
				this.find,
				el( 'label', { class: 'cph-check-line' }, [ this.onlyUnmapped, msg( 'cph-forms-mapping-only-unmapped' ) ] ),
				el( 'a', { href: '#', class: 'cph-wikitext-link', text: msg( 'cph-forms-mapping-show-table' ), onclick: function ( e ) {
					e.preventDefault();
					ctx.showTable();
				} } )
			] ),
			el( 'table', { class: 'cph-mapping-grid' }, [
				el( 'thead', {}, [ el( 'tr', {}, [
					el( 'th', { text: msg( 'cph-forms-mapping-value' ) } ),
					el( 'th', { text: msg( 'cph-forms-mapping-categories' ) } ),
					el( 'th', { text: msg( 'cph-forms-mapping-wikidata' ) } ),
					el( 'th', { text: msg( 'cph-forms-mapping-text' ) } )
				] ) ] ),
				body
			] ),
			this.more,
			this.result,
			this.bar
		] );
		this.filter();
		this.updateBar();
		return form;
	};

	Editor.prototype.save = function () {
		var self = this;
		var ctx = this.ctx;
		var changed = this.changed();
		var bad = changed.filter( function ( row ) {
			return row.node.classList.contains( 'cph-invalid' );
		} );
		this.result.textContent = '';
		if ( bad.length ) {
			this.result.appendChild( ui.notice( 'error', msg( 'cph-forms-mapping-fix-first', bad.map( function ( r ) {
				return r.data.value;
			} ).join( ', ' ) ) ) );
			return;
		}
		var edits = changed.map( function ( row ) {
			return { value: row.data.value, original: row.original, changes: self.changesOf( row ) };
		} );
		var summary = this.summaryInput.value.trim() || msg( 'cph-forms-mapping-summary-default', changed.map( function ( r ) {
			return r.data.value;
		} ).join( ', ' ) );
		this.saveButton.disabled = true;
		var attempt = function ( page, tries ) {
			var applied = wt.applyCellEdits( page.text, edits );
			if ( applied.conflicts.length ) {
				throw { code: 'cells', conflicts: applied.conflicts };
			}
			return ui.savePage( page, applied.text, summary ).catch( function ( error ) {
				if ( error.code === 'editconflict' && tries > 1 ) {
					// the bot or a person saved meanwhile: apply the same cells to their text
					return ui.readPage( ctx.title ).then( function ( fresh ) {
						return attempt( fresh, tries - 1 );
					} );
				}
				throw error;
			} );
		};
		ui.readPage( ctx.title ).then( function ( page ) {
			return attempt( page, 3 );
		} ).then( function () {
			window.location.href = mw.util.getUrl( ctx.title, { cphsaved: 'mapping' } );
		}, function ( error ) {
			self.saveButton.disabled = false;
			var text = error.code === 'cells' ? msg( 'cph-forms-mapping-conflict', error.conflicts.map( function ( c ) {
				return c.value + ' (' + c.cell + ')';
			} ).join( ', ' ) ) : ui.failure( error );
			self.result.appendChild( ui.notice( 'error', text ) );
		} );
	};

	/** Put the editor in place of the rendered table (one click brings the table back). */
	cph.startMappingEditor = function ( ctx ) {
		var table = document.querySelector( '#mw-content-text table.cph-mapping-table' );
		if ( !table ) {
			return Promise.resolve( null );
		}
		return ui.readPage( ctx.title ).then( function ( page ) {
			if ( !page.exists || page.revid !== mw.config.get( 'wgCurRevisionId' ) ) {
				return null;
			}
			ctx.page = page;
			var editor = new Editor( ctx );
			var form = editor.build();
			ctx.showTable = function () {
				table.hidden = false;
				form.remove();
			};
			table.hidden = true;
			table.parentNode.insertBefore( form, table );
			return editor;
		} );
	};

	cph.mapping = { parseSuggestions: parseSuggestions, searchText: searchText };
}() );

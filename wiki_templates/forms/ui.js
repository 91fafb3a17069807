/* What the three forms share: building elements (as text, never as HTML from
 * data), the messages in the reader's language, the wiki's API, the hub's
 * configuration page and a list of suggestions under a text field. */
( function () {
	'use strict';
	var cph = window.cphForms = window.cphForms || {};
	var config = null;

	/** An element: attrs may hold text, class, and any attribute; children are nodes or text. */
	function el( tag, attrs, children ) {
		var node = document.createElement( tag );
		Object.keys( attrs || {} ).forEach( function ( key ) {
			var value = attrs[ key ];
			if ( value === undefined || value === null || value === false ) {
				return;
			}
			if ( key === 'text' ) {
				node.textContent = value;
			} else if ( key === 'class' ) {
				node.className = value;
			} else if ( key.slice( 0, 2 ) === 'on' ) {
				node.addEventListener( key.slice( 2 ), value );
			} else {
				node.setAttribute( key, value === true ? '' : value );
			}
		} );
		( children || [] ).forEach( function ( child ) {
			if ( child !== null && child !== undefined && child !== false ) {
				node.appendChild( typeof child === 'string' ? document.createTextNode( child ) : child );
			}
		} );
		return node;
	}

	/** The languages to look in, best first: the reader's, its base language, English. */
	function languages() {
		var lang = ( mw.config.get( 'wgUserLanguage' ) || 'en' ).toLowerCase();
		var chain = [ lang ];
		if ( lang.indexOf( '-' ) !== -1 ) {
			chain.push( lang.split( '-' )[ 0 ] );
		}
		chain.push( 'en' );
		return chain;
	}

	/** A message in the reader's language (English when it is not translated), $1... filled. */
	function msg( key ) {
		var params = Array.prototype.slice.call( arguments, 1 );
		var messages = ( config && config.messages ) || {};
		var text = null;
		languages().some( function ( lang ) {
			if ( messages[ lang ] && messages[ lang ][ key ] !== undefined ) {
				text = messages[ lang ][ key ];
				return true;
			}
			return false;
		} );
		if ( text === null ) {
			return '⧼' + key + '⧽';
		}
		text = text.replace( /\$(\d+)/g, function ( m, n ) {
			var value = params[ Number( n ) - 1 ];
			return value === undefined ? m : String( value );
		} );
		// {{PLURAL:n|one|other}}, with the rules of the reader's language where loaded
		return text.replace( /\{\{PLURAL:\s*([0-9.]+)\s*\|([^{}]*)\}\}/g, function ( m, n, forms ) {
			forms = forms.split( '|' );
			if ( mw.language && mw.language.convertPlural ) {
				return mw.language.convertPlural( Number( n ), forms );
			}
			return Number( n ) === 1 ? forms[ 0 ] : forms[ forms.length - 1 ];
		} );
	}

	/** The direction of the reader's language, for the forms' own text. */
	function dir() {
		return document.documentElement.dir || 'ltr';
	}

	/** The reader's language, for the forms' own text: the page content around them is
	 * marked in the wiki's language, which screen readers would otherwise read it in. */
	function lang() {
		return document.documentElement.lang || 'en';
	}

	/** A promise of the API's answer; a refusal rejects with {code, info}. */
	function call( method, params ) {
		var api = new mw.Api();
		params = Object.assign( { formatversion: 2 }, params );
		return new Promise( function ( resolve, reject ) {
			var request = method === 'edit' ? api.postWithEditToken( params ) :
				method === 'post' ? api.post( params ) : api.get( params );
			request.then( resolve, function ( code, data ) {
				var info = data && data.error && data.error.info;
				reject( { code: code, info: info || code, data: data } );
			} );
		} );
	}

	/** A page's current text and revision, or {exists: false}. */
	function readPage( title ) {
		return call( 'get', {
			action: 'query', prop: 'revisions', titles: title,
			rvprop: 'ids|timestamp|user|content', rvslots: 'main', curtimestamp: 1
		} ).then( function ( data ) {
			var page = data.query.pages[ 0 ];
			if ( !page || page.missing || page.invalid ) {
				return { title: title, exists: false, start: data.curtimestamp };
			}
			var rev = page.revisions[ 0 ];
			return {
				title: page.title,
				exists: true,
				text: rev.slots.main.content,
				revid: rev.revid,
				timestamp: rev.timestamp,
				user: rev.user,
				start: data.curtimestamp
			};
		} );
	}

	/** Who made the page's first revision. */
	function creator( title ) {
		return call( 'get', {
			action: 'query', prop: 'revisions', titles: title,
			rvprop: 'user', rvdir: 'newer', rvlimit: 1
		} ).then( function ( data ) {
			var page = data.query.pages[ 0 ];
			return page && page.revisions ? page.revisions[ 0 ].user : '';
		} );
	}

	/** Save over exactly the revision read (an edit conflict rejects with code editconflict). */
	function savePage( page, text, summary, extra ) {
		var params = Object.assign( {
			action: 'edit', title: page.title, text: text, summary: summary,
			starttimestamp: page.start
		}, extra || {} );
		if ( page.exists ) {
			params.baserevid = page.revid;
			params.basetimestamp = page.timestamp;
			params.nocreate = 1;
		} else {
			params.createonly = 1;
		}
		return call( 'edit', params ).then( function ( data ) {
			if ( !data.edit || data.edit.result !== 'Success' ) {
				throw { code: 'failed', info: ( data.edit && data.edit.info ) || '' };
			}
			return data.edit;
		} );
	}

	/** The hub's forms configuration (R/Forms.json), or null where the forms are not set up. */
	function loadConfig( root ) {
		return readPage( root + '/Forms.json' ).then( function ( page ) {
			if ( !page.exists ) {
				return null;
			}
			try {
				config = JSON.parse( page.text );
			} catch ( e ) {
				return null;
			}
			return config;
		} );
	}

	/** A box with a message: kind is success, error, warning or notice. */
	function notice( kind, children ) {
		return el( 'div', { class: 'cph-notice cph-notice-' + kind, role: kind === 'error' ? 'alert' : 'status' },
			Array.isArray( children ) ? children : [ children ] );
	}

	function button( label, kind, onclick, attrs ) {
		return el( 'button', Object.assign( {
			type: 'button', class: 'cph-button' + ( kind ? ' cph-button-' + kind : '' ), text: label, onclick: onclick
		}, attrs || {} ) );
	}

	function link( title, text, query ) {
		return el( 'a', { href: mw.util.getUrl( title, query ), text: text || title } );
	}

	/** Explain a refused API call in plain words. */
	function failure( error ) {
		var code = error && error.code;
		if ( code === 'editconflict' ) {
			return msg( 'cph-forms-error-conflict' );
		}
		if ( code === 'http' ) {
			return msg( 'cph-forms-error-network' );
		}
		return msg( 'cph-forms-error-save', ( error && error.info ) || String( code || '' ) );
	}

	/**
	 * A list of suggestions under a text field. `source(text)` gives a promise of
	 * [{label, description, value, note}]; `choose(item)` is told which one was picked.
	 */
	function suggest( input, source, choose ) {
		var list = el( 'ul', { class: 'cph-suggestions', role: 'listbox', hidden: true } );
		var items = [];
		var active = -1;
		var asked = 0;
		input.setAttribute( 'autocomplete', 'off' );
		input.setAttribute( 'aria-autocomplete', 'list' );
		input.parentNode.insertBefore( list, input.nextSibling );
		input.parentNode.classList.add( 'cph-suggest-anchor' );

		function close() {
			list.hidden = true;
			active = -1;
		}
		function pick( item ) {
			close();
			choose( item );
		}
		function highlight( n ) {
			active = n;
			Array.prototype.forEach.call( list.children, function ( li, i ) {
				li.classList.toggle( 'cph-active', i === n );
			} );
		}
		function show( found ) {
			items = found;
			list.textContent = '';
			found.forEach( function ( item, i ) {
				list.appendChild( el( 'li', {
					role: 'option',
					class: 'cph-suggestion',
					onmousedown: function ( e ) {
						e.preventDefault();
						pick( item );
					},
					onmouseenter: function () {
						highlight( i );
					}
				}, [
					el( 'span', { class: 'cph-suggestion-label', text: item.label } ),
					item.note ? el( 'span', { class: 'cph-suggestion-note', text: item.note } ) : null,
					item.description ? el( 'span', { class: 'cph-suggestion-description', text: item.description } ) : null
				] ) );
			} );
			list.hidden = !found.length;
			active = -1;
		}
		function ask( text ) {
			var mine = ++asked;
			return source( text ).then( function ( found ) {
				if ( mine === asked && document.activeElement === input ) {
					show( found );
				}
				return found;
			}, function () {
				if ( mine === asked ) {
					close();
				}
			} );
		}
		var timer = null;
		input.addEventListener( 'input', function () {
			clearTimeout( timer );
			timer = setTimeout( function () {
				ask( input.value );
			}, 200 );
		} );
		input.addEventListener( 'keydown', function ( e ) {
			if ( list.hidden ) {
				return;
			}
			if ( e.key === 'ArrowDown' || e.key === 'ArrowUp' ) {
				e.preventDefault();
				var step = e.key === 'ArrowDown' ? 1 : -1;
				highlight( ( active + step + items.length ) % items.length );
			} else if ( e.key === 'Enter' && active >= 0 ) {
				e.preventDefault();
				pick( items[ active ] );
			} else if ( e.key === 'Escape' ) {
				close();
			}
		} );
		input.addEventListener( 'blur', function () {
			setTimeout( close, 150 );
		} );
		return { ask: ask, close: close };
	}

	cph.ui = {
		el: el,
		msg: msg,
		dir: dir,
		lang: lang,
		call: call,
		readPage: readPage,
		creator: creator,
		savePage: savePage,
		loadConfig: loadConfig,
		notice: notice,
		button: button,
		link: link,
		failure: failure,
		suggest: suggest,
		config: function () {
			return config;
		}
	};
}() );

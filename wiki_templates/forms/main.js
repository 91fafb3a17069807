/* Which form a page gets. A hub's pages are found by their titles (SPEC 2):
 * R/Requests/NAME (the wizard, from the hub's "Start a request" button or the
 * request's "Change with the form" link), R/Requests/NAME/Mappings/COLUMN (the
 * mapping editor) and R/Requests/NAME/Preview (the approve button); R/Forms.json
 * must exist, so pages of a hub without the forms stay as they are. */
( function () {
	'use strict';
	var cph = window.cphForms;
	var ui = cph.ui;

	var PAGE = /^(.+)\/Requests\/([^/]+)(\/Mappings\/(.+)|\/Preview)?$/;

	function query( name ) {
		return new URLSearchParams( window.location.search ).get( name );
	}

	function savedNotice( kind ) {
		var content = document.getElementById( 'mw-content-text' );
		if ( kind && content ) {
			content.insertBefore( ui.notice( 'success', ui.msg( 'cph-forms-saved-' + kind ) ), content.firstChild );
		}
	}

	function requestLink( ctx ) {
		var box = document.querySelector( '#mw-content-text .cph-request' );
		if ( !box || !mw.config.get( 'wgIsProbablyEditable' ) ) {
			return;
		}
		box.insertBefore( ui.el( 'div', { class: 'cph-request-actions' }, [
			ui.el( 'a', { class: 'cph-button', 'data-cph': 'change-request', text: ui.msg( 'cph-forms-change-request' ),
				href: mw.util.getUrl( ctx.title, { action: 'edit', cphform: 1 } ) } )
		] ), box.firstChild );
	}

	function ready() {
		// the forms have done what this page needs (tests wait for it)
		document.documentElement.classList.add( 'cph-forms-ready' );
	}

	function start() {
		var title = ( mw.config.get( 'wgPageName' ) || '' ).replace( /_/g, ' ' );
		var found = PAGE.exec( title );
		var action = mw.config.get( 'wgAction' );
		if ( !found || ( action !== 'view' && action !== 'edit' ) ) {
			ready();
			return;
		}
		var ctx = { root: found[ 1 ], name: found[ 2 ], title: title };
		var wizard = action === 'edit' && !found[ 3 ] && (
			query( 'cphform' ) || /^Template:Partnership[ _]request\/preload$/.test( query( 'preload' ) || '' ) );
		if ( action === 'edit' && !wizard ) {
			ready();
			return;
		}
		ui.loadConfig( ctx.root ).then( function ( config ) {
			if ( !config || mw.user.isAnon() && action === 'edit' ) {
				return null;
			}
			ctx.config = config;
			if ( wizard ) {
				return cph.startWizard( ctx );
			}
			savedNotice( query( 'cphsaved' ) );
			if ( found[ 4 ] ) {
				ctx.column = found[ 4 ];
				return mw.user.isAnon() ? null : cph.startMappingEditor( ctx );
			}
			if ( found[ 3 ] ) {
				ctx.requestTitle = ctx.root + '/Requests/' + ctx.name;
				return cph.startApprove( ctx );
			}
			return requestLink( ctx );
		} ).then( ready, function ( error ) {
			ready();
			mw.log.warn( 'Content Partnerships Hub forms:', error );
		} );
	}

	mw.loader.using( [ 'mediawiki.api', 'mediawiki.util', 'mediawiki.user', 'mediawiki.language' ] ).then( function () {
		$( start );
	} );
}() );

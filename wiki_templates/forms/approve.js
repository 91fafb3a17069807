/* The approve button (SPEC 15) on a preview page, for approvers: it sets
 * |approve=<the id shown> on the request page as the person who clicks, so every
 * rule of approval (current id, approver at run time, not blocked, four eyes)
 * is the bot's to check, unchanged. It refuses when the preview shown is no
 * longer the current one. */
( function () {
	'use strict';
	var cph = window.cphForms = window.cphForms || {};
	var ui = cph.ui;
	var wt = cph.wikitext;
	var el = ui.el;
	var msg = ui.msg;

	function isApprover( config ) {
		var approvers = config.approvers || {};
		var groups = mw.config.get( 'wgUserGroups' ) || [];
		var user = mw.config.get( 'wgUserName' );
		return !!user && ( ( approvers.users || [] ).indexOf( user ) !== -1 ||
			( approvers.groups || [] ).some( function ( g ) {
				return groups.indexOf( g ) !== -1;
			} ) );
	}

	function previewId( text ) {
		var tpl = wt.findTemplates( text || '', 'Batch preview' )[ 0 ];
		return tpl ? ( wt.paramValues( tpl ).id || '' ) : '';
	}

	function Approve( ctx, slot ) {
		this.ctx = ctx; // {config, root, name, title, requestTitle, shownId}
		this.slot = slot;
	}

	Approve.prototype.say = function ( kind, children ) {
		this.result.textContent = '';
		this.result.appendChild( ui.notice( kind, children ) );
	};

	/** Everything checked at the click: the preview is current, the request is there, and
	 * who clicks did not start it. Resolves with the request page, or null (told why). */
	Approve.prototype.checks = function () {
		var self = this;
		var ctx = this.ctx;
		return Promise.all( [
			ui.readPage( ctx.title ), ui.readPage( ctx.requestTitle ), ui.creator( ctx.requestTitle )
		] ).then( function ( found ) {
			var preview = found[ 0 ];
			var request = found[ 1 ];
			var current = previewId( preview.text );
			if ( !preview.exists || current !== ctx.shownId || preview.revid !== mw.config.get( 'wgCurRevisionId' ) ) {
				self.say( 'error', [ msg( 'cph-forms-approve-stale', ctx.shownId, current || '–' ), ' ',
					ui.link( ctx.title, msg( 'cph-forms-approve-reload' ) ) ] );
				return null;
			}
			if ( !request.exists || !wt.findTemplates( request.text, ctx.config.request_template ).length ) {
				self.say( 'error', msg( 'cph-forms-approve-no-request' ) );
				return null;
			}
			if ( found[ 2 ] === mw.config.get( 'wgUserName' ) ) {
				self.say( 'error', msg( 'cph-forms-approve-own' ) );
				return null;
			}
			var tpl = wt.findTemplates( request.text, ctx.config.request_template )[ 0 ];
			if ( wt.paramValues( tpl ).approve === ctx.shownId ) {
				self.say( 'notice', msg( 'cph-forms-approve-already', ctx.shownId ) );
				return null;
			}
			return request;
		} );
	};

	Approve.prototype.approve = function () {
		var self = this;
		var ctx = this.ctx;
		this.button.disabled = true;
		var save = function ( request, again ) {
			var text = wt.setParams( request.text, ctx.config.request_template, { approve: ctx.shownId } );
			return ui.savePage( request, text, msg( 'cph-forms-approve-summary', ctx.shownId ) ).catch( function ( error ) {
				if ( error.code === 'editconflict' && again ) {
					return self.checks().then( function ( fresh ) {
						return fresh ? save( fresh, false ) : null;
					} );
				}
				throw error;
			} );
		};
		this.checks().then( function ( request ) {
			return request ? save( request, true ) : null;
		} ).then( function ( saved ) {
			if ( !saved ) {
				self.button.disabled = false;
				return;
			}
			self.button.hidden = true;
			self.say( 'success', [ msg( 'cph-forms-approve-done', ctx.shownId ), ' ',
				ui.link( ctx.requestTitle, msg( 'cph-forms-approve-request-link' ) ) ] );
		}, function ( error ) {
			self.button.disabled = false;
			self.say( 'error', ui.failure( error ) );
		} );
	};

	Approve.prototype.build = function () {
		var self = this;
		var ctx = this.ctx;
		this.button = ui.button( msg( 'cph-forms-approve-button', ctx.shownId ), 'primary', function () {
			self.approve();
		}, { 'data-cph': 'approve' } );
		this.result = el( 'div', { class: 'cph-result' } );
		return el( 'div', { class: 'cph-approve', dir: ui.dir(), lang: ui.lang() }, [
			el( 'p', { class: 'cph-approve-text', text: msg( 'cph-forms-approve-intro', ctx.shownId ) } ),
			this.button,
			this.result
		] );
	};

	/** Show the button to approvers, on the current revision of a preview page. */
	cph.startApprove = function ( ctx ) {
		var box = document.querySelector( '#mw-content-text .cph-batch-preview' );
		var slot = box && ( box.querySelector( '.cph-approve-slot' ) || box );
		if ( !slot || !isApprover( ctx.config ) ||
			mw.config.get( 'wgRevisionId' ) !== mw.config.get( 'wgCurRevisionId' ) ) {
			return null;
		}
		ctx.shownId = ( box.getAttribute( 'data-cph-id' ) || '' ).trim();
		if ( !ctx.shownId ) {
			return null;
		}
		var approve = new Approve( ctx, slot );
		slot.appendChild( approve.build() );
		return approve;
	};
}() );

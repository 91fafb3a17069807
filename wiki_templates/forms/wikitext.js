/* Wikitext helpers of the forms: find a template, read and set its parameters,
 * keeping every other byte of the page as it was. They follow the bot's own
 * rules (bots/wikitext.py set_template_param, bots/pipeline/mapping.py), and the
 * browser tests check them against the bot on the same inputs. */
( function () {
	'use strict';
	var cph = window.cphForms = window.cphForms || {};

	// Text that holds no markup: comments, <nowiki>, <pre>.
	var OPAQUE = [
		{ open: /^<!--/, close: '-->' },
		{ open: /^<nowiki(\s[^>]*)?>/i, close: /<\/nowiki\s*>/i },
		{ open: /^<pre(\s[^>]*)?>/i, close: /<\/pre\s*>/i }
	];

	/** Where opaque text starting at i ends, or -1 when none starts there. */
	function skipOpaque( text, i ) {
		if ( text[ i ] !== '<' ) {
			return -1;
		}
		var rest = text.slice( i );
		for ( var k = 0; k < OPAQUE.length; k++ ) {
			var opened = OPAQUE[ k ].open.exec( rest );
			if ( !opened ) {
				continue;
			}
			if ( /^<[a-z]/i.test( opened[ 0 ] ) && /\/>$/.test( opened[ 0 ] ) ) {
				return i + opened[ 0 ].length; // <nowiki/>
			}
			var after = rest.slice( opened[ 0 ].length );
			var close = OPAQUE[ k ].close;
			var at, length;
			if ( typeof close === 'string' ) {
				at = after.indexOf( close );
				length = close.length;
			} else {
				var found = close.exec( after );
				at = found ? found.index : -1;
				length = found ? found[ 0 ].length : 0;
			}
			return at === -1 ? text.length : i + opened[ 0 ].length + at + length;
		}
		return -1;
	}

	/**
	 * The template that opens at `start` ("{{"): its end and its parts.
	 * Each part is {start, end, eq} (eq: offset of its first top-level "=", or -1);
	 * part 0 is the name. Returns null when the template is not closed.
	 */
	function readTemplate( text, start ) {
		var depth = 0; // nested {{ }}, {{{ }}} and [[ ]]
		var parts = [];
		var partStart = start + 2;
		var eq = -1;
		var i = start + 2;
		while ( i < text.length ) {
			var skip = skipOpaque( text, i );
			if ( skip !== -1 ) {
				i = skip;
				continue;
			}
			var two = text.substr( i, 2 );
			if ( two === '{{' || two === '[[' ) {
				depth++;
				i += ( two === '{{' && text[ i + 2 ] === '{' ) ? 3 : 2;
				continue;
			}
			if ( ( two === '}}' || two === ']]' ) && depth > 0 ) {
				depth--;
				i += 2;
				continue;
			}
			if ( two === '}}' ) {
				parts.push( { start: partStart, end: i, eq: eq } );
				return { start: start, end: i + 2, parts: parts };
			}
			if ( depth === 0 && text[ i ] === '|' ) {
				parts.push( { start: partStart, end: i, eq: eq } );
				partStart = i + 1;
				eq = -1;
			} else if ( depth === 0 && text[ i ] === '=' && eq === -1 && parts.length > 0 ) {
				eq = i;
			}
			i++;
		}
		return null;
	}

	/** A parameter value or name as the bot reads it: comments removed, trimmed. */
	function clean( raw ) {
		return raw.replace( /<!--[\s\S]*?(-->|$)/g, '' ).trim();
	}

	/** Template names as MediaWiki resolves them. */
	function normalizeName( name ) {
		name = clean( name ).replace( /_/g, ' ' ).replace( /^\s*template\s*:\s*/i, '' );
		name = name.replace( /\s+/g, ' ' ).trim();
		return name.charAt( 0 ).toUpperCase() + name.slice( 1 );
	}

	/** Parameter names: spaces and underscores are the same. */
	function nameKey( name ) {
		return clean( name ).replace( /[\s_]+/g, ' ' ).trim();
	}

	function describe( text, tpl ) {
		var params = tpl.parts.slice( 1 ).map( function ( part ) {
			var keyed = part.eq !== -1;
			return {
				start: part.start,
				end: part.end,
				keyed: keyed,
				nameRaw: keyed ? text.slice( part.start, part.eq ) : '',
				valueStart: keyed ? part.eq + 1 : part.start,
				valueRaw: keyed ? text.slice( part.eq + 1, part.end ) : text.slice( part.start, part.end )
			};
		} );
		return {
			start: tpl.start,
			end: tpl.end,
			name: normalizeName( text.slice( tpl.parts[ 0 ].start, tpl.parts[ 0 ].end ) ),
			params: params
		};
	}

	/** Every call of the template `name` on the page (not in comments, nowiki or pre). */
	function findTemplates( text, name ) {
		var wanted = normalizeName( name );
		var found = [];
		var i = 0;
		while ( i < text.length ) {
			var skip = skipOpaque( text, i );
			if ( skip !== -1 ) {
				i = skip;
				continue;
			}
			if ( text.substr( i, 2 ) === '{{' && text[ i + 2 ] !== '{' ) {
				var tpl = readTemplate( text, i );
				if ( tpl ) {
					var described = describe( text, tpl );
					if ( described.name === wanted ) {
						found.push( described );
						i = tpl.end;
						continue;
					}
				}
				i += 2;
				continue;
			}
			i++;
		}
		return found;
	}

	/** The named parameters as the bot reads them: name (as written, clean) -> value. */
	function paramValues( tpl ) {
		var values = {};
		tpl.params.forEach( function ( p ) {
			if ( p.keyed ) {
				values[ clean( p.nameRaw ) ] = clean( p.valueRaw );
			}
		} );
		return values;
	}

	/** (leading whitespace, content, trailing whitespace); an empty value is all trail. */
	function splitSpacing( text ) {
		var content = text.trim();
		if ( !content ) {
			var newline = text.indexOf( '\n' );
			return newline === -1 ? [ text, '', '' ] : [ text.slice( 0, newline ), '', text.slice( newline ) ];
		}
		var at = text.indexOf( content );
		return [ text.slice( 0, at ), content, text.slice( at + content.length ) ];
	}

	function valueLead( named ) {
		for ( var i = 0; i < named.length; i++ ) {
			var s = splitSpacing( named[ i ].valueRaw );
			if ( s[ 1 ] ) {
				return s[ 0 ];
			}
		}
		return '';
	}

	function separator( params ) {
		for ( var i = 0; i < params.length - 1; i++ ) {
			var s = splitSpacing( params[ i ].valueRaw );
			if ( s[ 1 ] || s[ 2 ] ) {
				return s[ 2 ];
			}
		}
		return '';
	}

	function nameLike( example, name, named ) {
		var lead = example.slice( 0, example.length - example.replace( /^\s+/, '' ).length );
		var trail = example.slice( example.replace( /\s+$/, '' ).length );
		var counts = [];
		named.forEach( function ( p ) {
			var n = p.nameRaw.length;
			var entry = counts.filter( function ( c ) {
				return c.width === n;
			} )[ 0 ];
			if ( entry ) {
				entry.count++;
			} else {
				counts.push( { width: n, count: 1 } );
			}
		} );
		var best = counts[ 0 ];
		counts.forEach( function ( c ) {
			if ( c.count > best.count ) {
				best = c;
			}
		} );
		if ( best.count >= 2 && lead.length + name.length < best.width ) {
			var padded = lead + name;
			while ( padded.length < best.width ) {
				padded += ' ';
			}
			return padded;
		}
		return lead + name + ( trail ? ' ' : '' );
	}

	function splice( text, start, end, insert ) {
		return text.slice( 0, start ) + insert + text.slice( end );
	}

	/**
	 * Set one parameter of the template, keeping the spacing around its value; a new
	 * parameter is added in the template's own layout. `value` is wikitext, as given.
	 */
	function setParam( text, tpl, name, value ) {
		var named = tpl.params.filter( function ( p ) {
			return p.keyed;
		} );
		var matching = named.filter( function ( p ) {
			return clean( p.nameRaw ) === name.trim();
		} );
		if ( matching.length ) {
			var p = matching[ matching.length - 1 ];
			var s = splitSpacing( p.valueRaw );
			var lead = ( !s[ 1 ] && !s[ 0 ] ) ? valueLead( named ) : s[ 0 ];
			return splice( text, p.valueStart, p.end, lead + value + s[ 2 ] );
		}
		var close = tpl.end - 2;
		if ( !named.length ) {
			return splice( text, close, close, '|' + name + '=' + value );
		}
		var last = named[ named.length - 1 ];
		var body = splitSpacing( last.valueRaw );
		var added = '|' + nameLike( last.nameRaw, name, named ) + '=' + valueLead( named ) + value + body[ 2 ];
		text = splice( text, close, close, added );
		return splice( text, last.valueStart, last.end, body[ 0 ] + body[ 1 ] + separator( tpl.params ) );
	}

	/** Set several parameters of the first call of `template` on the page. */
	function setParams( text, template, changes ) {
		Object.keys( changes ).forEach( function ( name ) {
			var tpl = findTemplates( text, template )[ 0 ];
			if ( !tpl ) {
				throw new Error( 'no-template' );
			}
			text = setParam( text, tpl, name, changes[ name ] );
		} );
		return text;
	}

	// --- values in mapping tables -----------------------------------------

	var ENTITY = /&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);/g;

	function decodeEntity( ref ) {
		var code;
		if ( /^&#[xX]/.test( ref ) ) {
			code = parseInt( ref.slice( 3, -1 ), 16 );
		} else if ( /^&#/.test( ref ) ) {
			code = parseInt( ref.slice( 2, -1 ), 10 );
		} else {
			var area = document.createElement( 'textarea' );
			area.innerHTML = ref;
			return area.value;
		}
		if ( code > 0x10FFFF || ( code >= 0xD800 && code <= 0xDFFF ) ) {
			return ref;
		}
		return String.fromCodePoint( code );
	}

	/** A value as written in a mapping table, read as the bot reads it. */
	function decodeValue( raw ) {
		return clean( raw )
			.replace( /\{\{\s*([!=])\s*\}\}/g, function ( m, c ) {
				return c === '!' ? '|' : '=';
			} )
			.replace( ENTITY, decodeEntity );
	}

	/** The rows of a mapping page: value, count and cells (clean), with where they are. */
	function mappingRows( text ) {
		return findTemplates( text, 'Mapping row' ).map( function ( tpl ) {
			var raw = {};
			tpl.params.forEach( function ( p ) {
				if ( p.keyed ) {
					raw[ clean( p.nameRaw ) ] = p.valueRaw;
				}
			} );
			var cells = {};
			Object.keys( raw ).forEach( function ( k ) {
				cells[ k ] = clean( raw[ k ] );
			} );
			return {
				tpl: tpl,
				value: decodeValue( raw.value || '' ),
				count: /^[0-9]+$/.test( cells.count || '' ) ? parseInt( cells.count, 10 ) : 0,
				cells: cells,
				raw: raw
			};
		} );
	}

	/** `|` outside links and templates ends a parameter: write it as {{!}}. */
	function escapePipes( value ) {
		var out = '';
		var depth = 0;
		for ( var i = 0; i < value.length; i++ ) {
			var two = value.substr( i, 2 );
			if ( two === '{{' || two === '[[' ) {
				depth++;
				out += two;
				i++;
			} else if ( ( two === '}}' || two === ']]' ) && depth > 0 ) {
				depth--;
				out += two;
				i++;
			} else if ( value[ i ] === '|' && depth === 0 ) {
				out += '{{!}}';
			} else {
				out += value[ i ];
			}
		}
		return out;
	}

	/** Why a person's wikitext would break the page it goes into, or '' (a first check;
	 * the bot checks it fully, as MediaWiki parses it). */
	function markupProblem( value ) {
		var depth = [];
		var i = 0;
		while ( i < value.length ) {
			if ( value.substr( i, 4 ) === '<!--' ) {
				var endComment = value.indexOf( '-->', i + 4 );
				if ( endComment === -1 ) {
					return 'comment';
				}
				i = endComment + 3;
				continue;
			}
			var tag = /^<(nowiki|pre|ref|includeonly|noinclude|onlyinclude)(\s[^>]*)?(\/?)>/i.exec( value.slice( i ) );
			if ( tag ) {
				if ( /includeonly|noinclude|onlyinclude/i.test( tag[ 1 ] ) ) {
					return 'tag';
				}
				if ( tag[ 3 ] ) {
					i += tag[ 0 ].length;
					continue;
				}
				var closing = new RegExp( '</' + tag[ 1 ] + '\\s*>', 'i' ).exec( value.slice( i + tag[ 0 ].length ) );
				if ( !closing ) {
					return 'tag';
				}
				i += tag[ 0 ].length + closing.index + closing[ 0 ].length;
				continue;
			}
			var two = value.substr( i, 2 );
			if ( two === '{{' || two === '[[' ) {
				depth.push( two === '{{' ? '}}' : ']]' );
				i += 2;
				continue;
			}
			if ( two === '}}' || two === ']]' ) {
				if ( depth.pop() !== two ) {
					return 'brackets';
				}
				i += 2;
				continue;
			}
			i++;
		}
		return depth.length ? 'brackets' : '';
	}

	/** Comments in a cell (notes), kept when the cell's value changes. */
	function notesIn( raw ) {
		return ( raw.match( /<!--[\s\S]*?-->/g ) || [] ).join( '' );
	}

	/**
	 * Apply a volunteer's cell edits to the page as it is now. Each edit names its row by
	 * value and says what the cell held when the form was opened; a cell someone changed
	 * meanwhile is left alone and returned as a conflict. Every other byte stays.
	 */
	function applyCellEdits( text, edits ) {
		var conflicts = [];
		var applied = 0;
		edits.forEach( function ( edit ) {
			Object.keys( edit.changes ).forEach( function ( cell ) {
				var rows = mappingRows( text ).filter( function ( r ) {
					return r.value === edit.value;
				} );
				var row = rows.filter( function ( r ) {
					return ( r.cells[ cell ] || '' ) === ( edit.original[ cell ] || '' );
				} )[ 0 ];
				if ( !row ) {
					conflicts.push( { value: edit.value, cell: cell } );
					return;
				}
				var value = edit.changes[ cell ];
				var notes = row.raw[ cell ] !== undefined ? notesIn( row.raw[ cell ] ) : '';
				var written = value + ( notes && value ? ' ' : '' ) + notes;
				if ( ( row.raw[ cell ] || '' ).trim() === written.trim() ) {
					return;
				}
				text = setParam( text, row.tpl, cell, written );
				applied++;
			} );
		} );
		return { text: text, conflicts: conflicts, applied: applied };
	}

	cph.wikitext = {
		findTemplates: findTemplates,
		paramValues: paramValues,
		setParam: setParam,
		setParams: setParams,
		clean: clean,
		nameKey: nameKey,
		decodeValue: decodeValue,
		mappingRows: mappingRows,
		escapePipes: escapePipes,
		markupProblem: markupProblem,
		applyCellEdits: applyCellEdits
	};
}() );

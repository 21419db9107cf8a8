#!/usr/bin/env node
// Static check of Cypher blocks with Neo4j's own analyser (@neo4j-cypher/language-support),
// no server needed and no network access.
//
// stdin:  JSON array of {"name", "source", "text"}
// stdout: JSON array, same order, of
//         {"name", "source", "errors": [{message, line, column}], "warnings": [...],
//          "params": [names the Neo4j parser finds]}
//         line and column are 1-based, relative to the block's text.
//
// Dialect: Neo4j 5 (Cypher 5). Functions and procedures are checked against Neo4j's built-in
// registry (the one shipped with the package); APOC and GDS are not assumed to be installed.
// Extra checks: one statement per block, no `CYPHER 25` prefix, no console commands.
//
// The analyser costs ~60-120 ms a block (Neo4j's front end compiled to JS); worker threads did
// not help on 2 cores. So results are cached. Option --no-cache always re-runs the analyser.
// Cached by a hash of (this script, package version, node version, block text) under
// node_modules/.cache/, which `npm ci` wipes: a cache hit is the analyser's own earlier answer.
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const PKG = '@neo4j-cypher/language-support';
const CYPHER_VERSION = 'CYPHER 5';
const NOT_INSTALLED_PROCEDURE = /^(apoc|gds)\./;
const CACHE_MAX_ENTRIES = 20000;

function pkgVersion() {
  const pj = path.join(path.dirname(require.resolve(PKG)), '..', '..', 'package.json');
  return JSON.parse(fs.readFileSync(pj, 'utf8')).version;
}

function builtinSchema(ls) {
  const mock = ls.testData.mockSchema; // a dump of a real Neo4j's function/procedure registry
  const pick = (registry, keep) =>
    Object.fromEntries(Object.entries(registry[CYPHER_VERSION] || {}).filter(([, v]) => keep(v)));
  return {
    defaultLanguage: CYPHER_VERSION,
    functions: { [CYPHER_VERSION]: pick(mock.functions, (f) => f.isBuiltIn === true) },
    procedures: {
      [CYPHER_VERSION]: pick(mock.procedures, (p) => !NOT_INSTALLED_PROCEDURE.test(p.name)),
    },
  };
}

const SEVERITY_ERROR = 1;
const isParamError = (m) => m.startsWith('Parameter ') && m.endsWith(' is not defined.');

function lintOne(ls, schema, text) {
  const errors = [];
  const warnings = [];
  const statements = ls.parseStatementsStrs(text).filter((s) => s.replace(/;\s*$/, '').trim());
  if (statements.length > 1) {
    errors.push({
      message: `block holds ${statements.length} statements; put one statement per block`,
      line: 1,
      column: 1,
    });
  }
  const version = /^\s*CYPHER\s+(\d+)/i.exec(text);
  if (version && version[1] !== '5') {
    errors.push({
      message: `CYPHER ${version[1]} prefix: Neo4j 5 runs Cypher 5 only`,
      line: 1,
      column: 1,
    });
  }
  // consoleCommandsEnabled = false: `:param` and friends are errors, not commands
  for (const d of ls.lintCypherQuery(text, schema, false)) {
    if (isParamError(d.message)) continue; // parameters are supplied at run time
    const item = {
      message: d.message,
      line: d.range.start.line + 1,
      column: d.range.start.character + 1,
    };
    (d.severity === SEVERITY_ERROR ? errors : warnings).push(item);
  }
  const params = [...new Set(ls.parseParameters(text, false))].sort();
  return { errors, warnings, params };
}

function lintTexts(texts) {
  const ls = require(PKG); // loaded only when some block is not in the cache
  const schema = builtinSchema(ls);
  return texts.map((t) => lintOne(ls, schema, t));
}

function cacheFile() {
  return path.join(__dirname, 'node_modules', '.cache', 'orgraph-cypher-lint.json');
}

function readCache() {
  try {
    return JSON.parse(fs.readFileSync(cacheFile(), 'utf8'));
  } catch {
    return {};
  }
}

function writeCache(cache) {
  try {
    const keys = Object.keys(cache);
    const kept = {};
    for (const k of keys.slice(Math.max(0, keys.length - CACHE_MAX_ENTRIES))) kept[k] = cache[k];
    fs.mkdirSync(path.dirname(cacheFile()), { recursive: true });
    const tmp = `${cacheFile()}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(kept));
    fs.renameSync(tmp, cacheFile()); // atomic: concurrent runs never see a torn file
  } catch {
    // a cache that cannot be written only costs time
  }
}

async function main() {
  const argv = process.argv.slice(2);
  const useCache = !argv.includes('--no-cache');

  const blocks = JSON.parse(fs.readFileSync(0, 'utf8'));
  if (!Array.isArray(blocks)) throw new Error('stdin must be a JSON array of {name, source, text}');
  for (const b of blocks) {
    if (typeof b.text !== 'string') throw new Error(`block ${JSON.stringify(b.name)} has no text`);
  }

  const salt = crypto.createHash('sha256')
    .update(fs.readFileSync(__filename))
    .update(pkgVersion())
    .update(process.version)
    .digest('hex');
  const keyOf = (text) => crypto.createHash('sha256').update(salt).update('\0').update(text).digest('hex');

  const cache = useCache ? readCache() : {};
  const keys = blocks.map((b) => keyOf(b.text));
  const missing = [...new Set(keys.filter((k) => !(k in cache)))];
  if (missing.length > 0) {
    const textByKey = new Map(blocks.map((b, i) => [keys[i], b.text]));
    const results = lintTexts(missing.map((k) => textByKey.get(k)));
    missing.forEach((k, i) => { cache[k] = results[i]; });
    if (useCache) writeCache(cache);
  }
  const out = blocks.map((b, i) => ({ name: b.name, source: b.source, ...cache[keys[i]] }));
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
  process.stderr.write(`cypher-lint: ${e && e.stack ? e.stack : e}\n`);
  process.exit(2);
});

// Drives the web extension's worker bundle (dist/web/worker.js) under Node the way the browser language client does:
// JSON-RPC messages posted in, messages posted back. It loads the real WebAssembly runtime copied into dist/web/wasm,
// so it checks the bundle, the runtime copy and the server together. Run `npm run build` first.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

const worker = path.resolve("dist/web/worker.js");
assert.ok(existsSync(path.resolve("dist/web/wasm/dotnet.js")), "dist/web/wasm is missing: publish src/Coputer.Tooling.Browser, then npm run build");

const received = [];
let notify;
globalThis.self = {
  location: { href: pathToFileURL(worker).href },
  postMessage(message) {
    received.push(message);
    notify?.();
  },
  onmessage: null,
};
createRequire(import.meta.url)(worker);
const post = (message) => globalThis.self.onmessage({ data: { jsonrpc: "2.0", ...message } });

/** Waits until a posted message satisfies `match` (a hang guard of 30 s: the runtime loads in about a second). */
async function next(match) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const i = received.findIndex(match);
    if (i >= 0) return received.splice(i, 1)[0];
    if (Date.now() > deadline) throw new Error(`no matching message; received ${JSON.stringify(received)}`);
    await new Promise((resolve) => {
      notify = resolve;
      setTimeout(resolve, 100);
    });
  }
}
const response = (id) => next((m) => m.id === id);
const diagnostics = (uri) => next((m) => m.method === "textDocument/publishDiagnostics" && m.params.uri === uri);

// Sent at once: the worker keeps these until the runtime has loaded.
post({ id: 1, method: "initialize", params: { capabilities: {} } });
const init = await response(1);
assert.equal(init.result.capabilities.documentFormattingProvider, true);
assert.equal(init.result.capabilities.textDocumentSync.change, 1);
post({ method: "initialized", params: {} });

const uri = "file:///site/main.luau";
post({ method: "textDocument/didOpen", params: { textDocument: { uri, languageId: "luau", version: 1, text: 'local s = "é" .. (' } } });
const broken = await diagnostics(uri);
assert.equal(broken.params.diagnostics.length, 1);
assert.equal(broken.params.diagnostics[0].message, "Expected identifier when parsing expression, got <eof>");
assert.deepEqual(broken.params.diagnostics[0].range.start, { line: 0, character: 18 });

// Syntax errors: nothing to format.
post({ id: 2, method: "textDocument/formatting", params: { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } } });
assert.equal((await response(2)).result, null);

const text = "local   x=1\nif x then\nprint( x )\nend";
post({ method: "textDocument/didChange", params: { textDocument: { uri, version: 2 }, contentChanges: [{ text }] } });
assert.deepEqual((await diagnostics(uri)).params.diagnostics, []);
post({ id: 3, method: "textDocument/formatting", params: { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } } });
const edits = (await response(3)).result;
assert.equal(edits.length, 1);
assert.deepEqual(edits[0].range, { start: { line: 0, character: 0 }, end: { line: 3, character: 3 } });
assert.equal(edits[0].newText, "local x = 1\nif x then\n  print(x)\nend\n");

// Tabs unless the editor asks for spaces; an already formatted document needs no edit.
post({ method: "textDocument/didChange", params: { textDocument: { uri, version: 3 }, contentChanges: [{ text: "if x then\n\tprint(x)\nend\n" }] } });
await diagnostics(uri);
post({ id: 4, method: "textDocument/formatting", params: { textDocument: { uri }, options: { tabSize: 4, insertSpaces: false } } });
assert.deepEqual((await response(4)).result, []);

// Unknown requests and closed documents get protocol errors, not silence.
post({ id: 5, method: "textDocument/hover", params: { textDocument: { uri }, position: { line: 0, character: 0 } } });
assert.equal((await response(5)).error.code, -32601);
post({ method: "textDocument/didClose", params: { textDocument: { uri } } });
assert.deepEqual((await diagnostics(uri)).params.diagnostics, []);
post({ id: 6, method: "textDocument/formatting", params: { textDocument: { uri }, options: {} } });
assert.equal((await response(6)).error.code, -32602);

post({ id: 7, method: "shutdown" });
assert.equal((await response(7)).result, null);
console.log("web extension worker: diagnostics and formatting OK");
process.exit(0);

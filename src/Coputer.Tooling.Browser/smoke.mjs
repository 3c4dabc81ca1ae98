// Loads the WebAssembly build under Node (the same module a browser loads) and checks both exports answer correctly.
// Usage: node smoke.mjs bin/Release/net10.0/wwwroot/_framework
import assert from "node:assert/strict";
import path from "node:path";
import { pathToFileURL } from "node:url";

const framework = path.resolve(process.argv[2] ?? "bin/Release/net10.0/wwwroot/_framework");
const { dotnet } = await import(pathToFileURL(path.join(framework, "dotnet.js")).href);
const runtime = await dotnet.create();
const exports = await runtime.getAssemblyExports(runtime.getConfig().mainAssemblyName);
const api = exports.Coputer.Tooling.Browser.BrowserExports;

assert.deepEqual(JSON.parse(api.Format("local   x=1\nprint( x )", 0)), { text: "local x = 1\nprint(x)\n" });
assert.deepEqual(JSON.parse(api.Format("if true then\nprint(1)\nend", 2)), { text: "if true then\n  print(1)\nend\n" });
assert.ok(JSON.parse(api.Format("local = 1", 0)).errors.length > 0);

const diagnostics = JSON.parse(api.Diagnostics('local s = "é" .. ('));
assert.equal(diagnostics.length, 1);
assert.equal(diagnostics[0].message, "Expected identifier when parsing expression, got <eof>");
assert.deepEqual(diagnostics[0].range.start, { line: 0, character: 18 });
assert.deepEqual(JSON.parse(api.Diagnostics("local x = 1")), []);
console.log("browser build: formatter and diagnostics OK");

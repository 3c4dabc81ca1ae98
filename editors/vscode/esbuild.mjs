// Bundles the extension for desktop VS Code (Node, starts `coputer lsp`) and for VS Code for the Web (a browser
// entry plus a worker that runs the WebAssembly build of the formatter and diagnostics). "vscode" is provided by
// the editor.
import { build } from "esbuild";
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

const common = { bundle: true, minify: true, sourcemap: false, logLevel: "info" };

await build({ ...common, entryPoints: ["src/extension.ts"], outfile: "dist/extension.js", external: ["vscode"], format: "cjs", platform: "node", target: "node20" });
await build({ ...common, entryPoints: ["src/web/extension.ts"], outfile: "dist/web/extension.js", external: ["vscode"], format: "cjs", platform: "browser", target: "es2022" });
await build({ ...common, entryPoints: ["src/web/worker.ts"], outfile: "dist/web/worker.js", format: "iife", platform: "browser", target: "es2022" });

// The trimmed WebAssembly publish of src/Coputer.Tooling.Browser, copied beside the worker (without the .gz and .br
// copies: the .vsix is compressed anyway).
const framework = path.resolve("../../src/Coputer.Tooling.Browser/bin/Release/net10.0/publish/wwwroot/_framework");
const target = "dist/web/wasm";
rmSync(target, { recursive: true, force: true });
if (existsSync(path.join(framework, "dotnet.js"))) {
  mkdirSync(target, { recursive: true });
  for (const name of readdirSync(framework))
    if (!name.endsWith(".gz") && !name.endsWith(".br")) cpSync(path.join(framework, name), path.join(target, name));
  // The runtime's scripts are ES modules; this tells Node so (a browser goes by how they are loaded).
  writeFileSync(path.join(target, "package.json"), '{ "type": "module" }\n');
  console.log(`copied the WebAssembly runtime from ${framework}`);
} else {
  console.warn(
    `warning: ${framework} is missing, so the web extension has no runtime; run ` +
      "`dotnet publish src/Coputer.Tooling.Browser -c Release` first (.ci/run does).",
  );
}

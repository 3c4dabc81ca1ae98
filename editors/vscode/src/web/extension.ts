// The Coputer Luau extension in VS Code for the Web: the language server runs in a worker on the WebAssembly build
// of our formatter and diagnostics (no `coputer` process in a browser).
import * as vscode from "vscode";
import { LanguageClient } from "vscode-languageclient/browser";

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const serverMain = vscode.Uri.joinPath(context.extensionUri, "dist", "web", "worker.js");
  const worker = new Worker(serverMain.toString(true));
  client = new LanguageClient("coputer", "Coputer Luau", worker, { documentSelector: [{ language: "luau" }] });
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}

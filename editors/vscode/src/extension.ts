// The Coputer Luau extension: starts `coputer lsp` for .luau files and talks to it with vscode-languageclient.
import { spawnSync } from "node:child_process";
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from "vscode-languageclient/node";

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel("Coputer", { log: true });
  context.subscriptions.push(output);

  context.subscriptions.push(
    vscode.commands.registerCommand("coputer.restartServer", async () => {
      await stop();
      await start(output);
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration("coputer.path")) {
        await stop();
        await start(output);
      }
    }),
  );
  await start(output);
}

export async function deactivate(): Promise<void> {
  await stop();
}

async function start(output: vscode.LogOutputChannel): Promise<void> {
  const command = vscode.workspace.getConfiguration("coputer").get<string>("path", "coputer").trim() || "coputer";
  const problem = checkCommand(command);
  if (problem !== undefined) {
    output.appendLine(problem);
    const choice = await vscode.window.showErrorMessage(
      `Coputer: ${problem} Luau highlighting still works; diagnostics, formatting and navigation need the language server.`,
      "Open Settings",
    );
    if (choice === "Open Settings") {
      await vscode.commands.executeCommand("workbench.action.openSettings", "coputer.path");
    }
    return;
  }

  const serverOptions: ServerOptions = {
    run: { command, args: ["lsp"], transport: TransportKind.stdio },
    debug: { command, args: ["lsp"], transport: TransportKind.stdio },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "luau" },
      { scheme: "untitled", language: "luau" },
    ],
    outputChannel: output,
  };
  client = new LanguageClient("coputer", "Coputer Luau", serverOptions, clientOptions);
  try {
    await client.start();
  } catch (error) {
    client = undefined;
    const message = error instanceof Error ? error.message : String(error);
    output.appendLine(`The language server did not start: ${message}`);
    void vscode.window.showErrorMessage(`Coputer: the language server (${command} lsp) did not start: ${message}`);
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running !== undefined) {
    await running.stop();
  }
}

/** Why `command` cannot run (not found, not executable), or undefined when it can. */
export function checkCommand(command: string): string | undefined {
  const result = spawnSync(command, ["lsp", "--help"], { timeout: 15000, encoding: "utf8" });
  if (result.error !== undefined) {
    const code = (result.error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      return `the command "${command}" was not found. Install the coputer command line, or set "coputer.path" to its full path.`;
    }
    if (code === "EACCES") {
      return `the command "${command}" cannot be run (permission denied). Check "coputer.path".`;
    }
    return `the command "${command}" could not be run: ${result.error.message}`;
  }
  if (result.status !== 0) {
    return `"${command} lsp --help" failed (exit status ${result.status}); is it an older coputer without the lsp command?`;
  }
  return undefined;
}

// The language server of the web extension, without I/O: JSON-RPC messages in, JSON-RPC messages out. It answers
// with the formatter and the diagnostics of the WebAssembly build (src/Coputer.Tooling.Browser), so VS Code for the
// Web gets the same errors and formatting as `coputer lsp` without a process to start.

/** The exports of the WebAssembly build: both answer JSON strings. */
export interface LuauTools {
  Format(source: string, indentWidth: number): string;
  Diagnostics(source: string): string;
}

/** A JSON-RPC message as the language client posts it. */
export interface Message {
  jsonrpc: "2.0";
  id?: number | string | null;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

interface TextDocumentParams {
  textDocument: { uri: string; text?: string; version?: number };
  contentChanges?: { text: string; range?: unknown }[];
  options?: { tabSize?: number; insertSpaces?: boolean };
}

const MethodNotFound = -32601;
const InvalidParams = -32602;
const RequestFailed = -32803;

/** Returns the function that takes each incoming message; answers and notifications go to `send`. */
export function createServer(tools: LuauTools, send: (message: Message) => void): (message: Message) => void {
  const documents = new Map<string, string>();
  let shutDown = false;

  const publish = (uri: string, text: string | undefined) => {
    const diagnostics = text === undefined ? [] : JSON.parse(tools.Diagnostics(text));
    send({ jsonrpc: "2.0", method: "textDocument/publishDiagnostics", params: { uri, diagnostics } });
  };

  const requests: Record<string, (params: TextDocumentParams) => unknown> = {
    initialize: () => ({
      capabilities: {
        // Full sync: each change carries the whole text, which the diagnostics read anyway.
        textDocumentSync: { openClose: true, change: 1 },
        documentFormattingProvider: true,
      },
      serverInfo: { name: "coputer (web)" },
    }),
    shutdown: () => {
      shutDown = true;
      return null;
    },
    "textDocument/formatting": (params) => {
      const uri = params.textDocument.uri;
      const text = documents.get(uri);
      if (text === undefined) throw new RpcError(InvalidParams, `${uri} is not open`);
      // The editor's indentation, as `coputer lsp` uses when no .stylua.toml applies (the web has no file to read).
      const indent = params.options?.insertSpaces === true ? Math.min(Math.max(1, params.options.tabSize ?? 4), 16) : 0;
      const answer = JSON.parse(tools.Format(text, indent)) as { text?: string; errors?: string[]; failure?: string };
      if (answer.text === undefined) {
        // Syntax errors are already shown as diagnostics; nothing is formatted then, as in `coputer lsp`.
        if (answer.errors !== undefined) return null;
        throw new RpcError(RequestFailed, answer.failure ?? "formatting failed");
      }
      if (answer.text === text) return [];
      return [{ range: { start: { line: 0, character: 0 }, end: endOf(text) }, newText: answer.text }];
    },
  };

  const notifications: Record<string, (params: TextDocumentParams) => void> = {
    initialized: () => {},
    exit: () => {},
    "$/setTrace": () => {},
    "textDocument/didOpen": (params) => {
      const text = params.textDocument.text ?? "";
      documents.set(params.textDocument.uri, text);
      publish(params.textDocument.uri, text);
    },
    "textDocument/didChange": (params) => {
      const changes = params.contentChanges ?? [];
      const last = changes[changes.length - 1];
      if (last === undefined) return;
      documents.set(params.textDocument.uri, last.text);
      publish(params.textDocument.uri, last.text);
    },
    "textDocument/didClose": (params) => {
      documents.delete(params.textDocument.uri);
      publish(params.textDocument.uri, undefined);
    },
  };

  return (message: Message) => {
    if (message.method === undefined) return; // a response to something we never ask
    const isRequest = message.id !== undefined && message.id !== null;
    const params = (message.params ?? {}) as TextDocumentParams;
    if (!isRequest) {
      notifications[message.method]?.(params);
      return;
    }
    const id = message.id;
    const handler = requests[message.method];
    if (handler === undefined || (shutDown && message.method !== "shutdown")) {
      send({ jsonrpc: "2.0", id, error: { code: MethodNotFound, message: `${message.method} is not supported here` } });
      return;
    }
    try {
      send({ jsonrpc: "2.0", id, result: handler(params) });
    } catch (e) {
      const error = e instanceof RpcError ? e : new RpcError(RequestFailed, String(e));
      send({ jsonrpc: "2.0", id, error: { code: error.code, message: error.message } });
    }
  };
}

class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** The position after the last character of `text`, in UTF-16 units as the protocol counts by default. */
export function endOf(text: string): { line: number; character: number } {
  let line = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, character: text.length - start };
}

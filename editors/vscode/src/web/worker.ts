// The web extension's language server worker: loads the WebAssembly build beside this file, then serves the
// messages the language client posts. Messages that arrive while the runtime loads wait for it.
import { createServer, LuauTools, Message } from "./server";

declare const self: {
  location: { href: string };
  postMessage(message: unknown): void;
  onmessage: ((event: { data: Message }) => void) | null;
};

const pending: Message[] = [];
let handle: ((message: Message) => void) | undefined;
self.onmessage = (event) => (handle ? handle(event.data) : pending.push(event.data));

async function load(): Promise<LuauTools> {
  const url = new URL("./wasm/dotnet.js", self.location.href).toString();
  const { dotnet } = await import(/* webpackIgnore: true */ url);
  const runtime = await dotnet.create();
  const exports = await runtime.getAssemblyExports(runtime.getConfig().mainAssemblyName);
  return exports.Coputer.Tooling.Browser.BrowserExports as LuauTools;
}

load().then(
  (tools) => {
    handle = createServer(tools, (message) => self.postMessage(message));
    for (const message of pending.splice(0)) handle(message);
  },
  (error) => {
    // Without the runtime every request fails with the reason, so the editor shows it instead of waiting.
    const reason = `the Luau WebAssembly runtime did not load: ${error}`;
    handle = (message) => {
      if (message.id !== undefined && message.id !== null)
        self.postMessage({ jsonrpc: "2.0", id: message.id, error: { code: -32603, message: reason } });
    };
    for (const message of pending.splice(0)) handle(message);
  },
);

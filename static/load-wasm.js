// How both pages get their wasm (Trunk.toml's loader patterns call this; one file, inlined into
// both). The build packs the wasm with xz beside the plain one (Trunk.toml's post_build hook):
// about a fifth smaller than the gzip a static host sends, so the cluster shows sooner on a slow
// link (issue 12's load guard). The vendored decoder (static/vendor/) unpacks it as it arrives,
// and the browser compiles it as it streams in. If the packed file cannot be had or read (an old
// host, a damaged copy, no decoder), the plain wasm is used instead: the page still starts.
// Resolves to a compiled WebAssembly.Module, which `wasm_bindgen` then instantiates.
// (A Response made here has no URL, so the browser keeps no compiled-code cache of it between
// visits, as it may for a fetched .wasm: the start compiles lazily anyway.)
window.raftExplorerCompile = async (url) => {
  let packed;
  try {
    packed = await fetch(url + ".xz");
    if (!packed.ok) throw new Error(`HTTP ${packed.status}`);
    const { XzReadableStream } = window["xz-decompress"];
    const unpacked = new Response(new XzReadableStream(packed.body), {
      headers: { "content-type": "application/wasm" },
    });
    return await WebAssembly.compileStreaming(unpacked);
  } catch (error) {
    console.warn(`Raft Explorer: the packed wasm could not be read (${error}); loading the plain one.`);
    packed?.body?.cancel().catch(() => {}); // what is left of it would share the link
    const plain = await fetch(url);
    if (!plain.ok) throw new Error(`Raft Explorer could not load ${url}: HTTP ${plain.status}`);
    // Streamed when the host says what it is; compileStreaming refuses other content types.
    const typed = plain.headers.get("content-type")?.startsWith("application/wasm");
    if (typed) return WebAssembly.compileStreaming(plain);
    return WebAssembly.compile(await plain.arrayBuffer());
  }
};

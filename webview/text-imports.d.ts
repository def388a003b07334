declare module 'elkjs/lib/elk-worker.min.js' {
  const source: string;
  export default source;
}

/** A webview worker's entry file, bundled on its own and imported as its source text (esbuild.mjs). */
declare module 'worker-text:*' {
  const source: string;
  export default source;
}

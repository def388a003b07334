declare module 'elkjs/lib/elk-worker.min.js' {
  const source: string;
  export default source;
}

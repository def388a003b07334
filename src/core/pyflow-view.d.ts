// `pyflow/view` resolves to the built drawing module (dist/lib/view.*), which may not exist when the core is
// type-checked; the core knows it by the ViewModule interface (viewModule.ts) only.
declare module 'pyflow/view';

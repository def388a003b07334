// Helpers imported by importedFunctions.ts: an output-less saver and a value-returning loader.
export function save(value: unknown): void {
  void value;
}
export async function upload(value: unknown): Promise<void> {
  await Promise.resolve(value);
}
export const load = (x: number) => x * 2;

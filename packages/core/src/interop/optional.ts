// Packages the user may have installed beside Savepoint (LangChain,
// LangGraph), loaded only when a value needs them. Core declares them as
// optional peer dependencies, never as dependencies: a package manager then
// links the user's own copy where core can import it, so a class loaded here
// is the very class the user's code constructs its values with (`instanceof`
// holds), and an app without them loads nothing.

const loading = new Map<string, Promise<unknown>>();
const loaded = new Map<string, unknown>();

/**
 * The module `specifier` as the user installed it, or `undefined` when it is
 * not installed. Loaded once; later calls share the result.
 */
export function importOptional<T = Record<string, unknown>>(
  specifier: string,
): Promise<T | undefined> {
  let promise = loading.get(specifier);
  if (!promise) {
    promise = import(specifier).then(
      (module) => {
        loaded.set(specifier, module);
        return module;
      },
      () => {
        loaded.set(specifier, undefined);
        return undefined;
      },
    );
    loading.set(specifier, promise);
  }
  return promise as Promise<T | undefined>;
}

/** The module if {@link importOptional} has already loaded it; never starts a load. */
export function loadedOptional<T = Record<string, unknown>>(specifier: string): T | undefined {
  return loaded.get(specifier) as T | undefined;
}

/**
 * A value made on its first use and kept for the container's life. Handlers make their AWS
 * clients and adapters this way rather than at import: constructing the first SDK client costs
 * about 25 ms of a cold start's import, and a container that never needs a client (the API's
 * OpenAPI document, a refused request) never pays it.
 */
export function lazy<T>(make: () => T): () => T {
  let made: { readonly value: T } | undefined;
  return () => {
    made ??= { value: make() };
    return made.value;
  };
}

/**
 * ml.js trains its ensembles in one synchronous call with no progress callback.
 * Both ensembles it builds (random-forest estimators, logistic-regression
 * one-vs-all classifiers) are stored by assigning into a pre-sized array on the
 * model object, so watching those assignments tells how far training is. If a
 * future ml.js stops doing that, progress simply jumps from 0 to 100.
 */

/**
 * Watches `target[property]`: whenever an array is stored there and then an
 * element assigned, calls `onElementAssigned(index)`. Returns a function that
 * removes the watch and leaves the plain array in place.
 */
export function watchArrayAssignments(target: object, property: string, onElementAssigned: (index: number) => void): () => void {
  let plain: unknown = (target as Record<string, unknown>)[property];
  let watched: unknown = plain;
  Object.defineProperty(target, property, {
    configurable: true,
    enumerable: true,
    get: () => watched,
    set: (value: unknown) => {
      plain = value;
      watched = Array.isArray(value)
        ? new Proxy(value, {
            set(array, key, element) {
              (array as unknown as Record<PropertyKey, unknown>)[key] = element;
              if (typeof key === 'string' && /^\d+$/.test(key)) onElementAssigned(Number(key));
              return true;
            },
          })
        : value;
    },
  });
  return () => {
    delete (target as Record<string, unknown>)[property];
    (target as Record<string, unknown>)[property] = plain;
  };
}

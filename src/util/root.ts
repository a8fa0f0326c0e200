import { fileURLToPath } from 'node:url';

/**
 * The package's root directory (holding bin/, schema/, traces/), found from this module's place two
 * levels below it: src/util/ under the tests, dist/util/ as compiled, dist/b/ as bundled (package.json
 * `bundle`). Every path to a file of the package is made from this, not from the module that needs it,
 * since a bundle moves modules.
 */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

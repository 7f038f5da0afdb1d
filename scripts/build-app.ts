// `npm run build:app`: builds the renderer and preload bundles into dist/app (packaging runs this first).
import { buildAppBundles, BUNDLE_DIR } from '../app/host/renderer-bundle.ts';

await buildAppBundles();
console.log(`built ${BUNDLE_DIR}`);

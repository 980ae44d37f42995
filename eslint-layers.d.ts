// Types for eslint-layers.js, so tests can load the plugin.
import type { ESLint } from 'eslint';

declare const layers: ESLint.Plugin;
export default layers;

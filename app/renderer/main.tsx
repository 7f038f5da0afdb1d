/** Renderer entry: mounts the app. `window.unmask` is already there (Electron preload or web-bridge.js). */
import { render } from 'preact';
import { App } from './app.tsx';
import { applyToneColours } from './format.ts';

applyToneColours(document.documentElement);

render(<App />, document.getElementById('app')!);

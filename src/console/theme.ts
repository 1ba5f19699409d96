/** Cloudscape's light and dark modes, remembered in this browser. */
import { applyMode, Mode } from '@cloudscape-design/global-styles';

const KEY = 'wharf-console-mode';

export function initialMode(): Mode {
  const saved = localStorage.getItem(KEY);
  const mode = saved === Mode.Dark || saved === Mode.Light ? saved : window.matchMedia?.('(prefers-color-scheme: dark)').matches ? Mode.Dark : Mode.Light;
  applyMode(mode);
  return mode;
}

export function setMode(mode: Mode): void {
  localStorage.setItem(KEY, mode);
  applyMode(mode);
}

export { Mode };

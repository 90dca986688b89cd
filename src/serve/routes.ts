// The served files: the page, its script and styles, uPlot and msgpackr; read
// once at start (a missing build fails then, not on a request).
import { pageCss, pageScript, vendor } from './assets.js';
import { servedPage } from './page.js';

export function staticRoutes(title: string): (path: string) => [string, string] | null {
  const v = vendor();
  const js = 'text/javascript; charset=utf-8';
  const css = 'text/css; charset=utf-8';
  const files = new Map<string, [string, string]>([
    ['/', ['text/html; charset=utf-8', servedPage(title)]],
    ['/app.js', [js, pageScript()]],
    ['/page.css', [css, pageCss()]],
    ['/uplot.js', [js, v.uplotJs]],
    ['/uplot.css', [css, v.uplotCss]],
    ['/msgpackr.js', [js, v.msgpackrJs]],
  ]);
  return (p) => files.get(p) ?? null;
}

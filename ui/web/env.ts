/// <reference lib="dom" />
// The browser globals the page uses: uPlot and msgpackr's browser builds are
// loaded as classic scripts before the page script (served, or inlined in a report).
import type { ServerMsg } from '../../src/serve/wire.js';

export type UPlotCtor = typeof import('uplot');
export type UPlot = InstanceType<UPlotCtor>;
export type UPlotOptions = import('uplot').Options;
export type UPlotData = import('uplot').AlignedData;

interface Globals {
  uPlot: UPlotCtor;
  msgpackr: { unpack(b: Uint8Array): unknown };
}

const g = globalThis as unknown as Globals;

export function uplotCtor(): UPlotCtor {
  return g.uPlot;
}

/** One protocol message (src/serve/wire.ts): the same decoder for the websocket and an embedded report. */
export function decodeMsg(b: Uint8Array): ServerMsg {
  return g.msgpackr.unpack(b) as ServerMsg;
}

export function byId(id: string): HTMLElement {
  const e = document.getElementById(id);
  if (!e) throw new Error(`page: #${id} is missing`);
  return e;
}

export function cell(tag: 'td' | 'th', text: string): HTMLElement {
  const e = document.createElement(tag);
  e.textContent = text;
  return e;
}

export function tableRows(table: HTMLElement, head: string[], rows: string[][]): void {
  const tr = (cells: HTMLElement[]) => {
    const r = document.createElement('tr');
    r.append(...cells);
    return r;
  };
  table.replaceChildren(tr(head.map((h) => cell('th', h))), ...rows.map((r) => tr(r.map((c) => cell('td', c)))));
}

import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-toolbar-container/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import ELK from 'elkjs/lib/elk.bundled.js';
import type { ExtractResult, HostToWebview, TraceEvent } from '../src/protocol/index.js';
import { connectHost } from './host.js';
import { layoutGraph, type ElkLike } from './layout.js';
import { viewGraph } from '../src/core/summary.js';
import { renderSvg } from './render.js';
import { toDom } from './toDom.js';
import { applyEvents, emptyOverlay, type OverlayState } from './overlay.js';

interface ViewState {
  full: boolean;
}

const elk: ElkLike = new ELK();
const canvas = document.getElementById('canvas')!;
const status = document.getElementById('status')!;
const fullToggle = document.getElementById('toggle-full') as HTMLElement & { checked: boolean };
let result: ExtractResult | undefined;
let overlay: OverlayState = emptyOverlay();
let drawing = 0;

const api = connectHost(onMessage);
const saved = (api.getState() as ViewState | undefined) ?? { full: false };
let full = saved.full;
fullToggle.checked = full;
fullToggle.addEventListener('change', () => {
  full = fullToggle.checked;
  api.setState({ full } satisfies ViewState);
  void draw();
});

function onMessage(message: HostToWebview): void {
  switch (message.type) {
    case 'graph/show':
      result = message.result;
      if (message.settings.full !== undefined && api.getState() === undefined) {
        full = message.settings.full;
        fullToggle.checked = full;
      }
      void draw();
      break;
    case 'trace/reset':
      overlay = emptyOverlay();
      status.textContent = message.title;
      paintOverlay();
      break;
    case 'trace/append':
      overlay = applyEvents(overlay, message.events);
      paintOverlay(message.events);
      break;
    case 'selection/set':
      for (const el of canvas.querySelectorAll('.node.selected')) el.classList.remove('selected');
      for (const uid of message.uids) canvas.querySelector(`.node[data-uid="${CSS.escape(uid)}"]`)?.classList.add('selected');
      break;
  }
}

async function draw(): Promise<void> {
  const ticket = ++drawing;
  if (!result) return;
  if (result.graphs.length === 0) {
    canvas.replaceChildren(emptyState(result));
    return;
  }
  const sections = await Promise.all(result.graphs.map(async (g) => {
    const placed = await layoutGraph(elk, viewGraph(g, full), { direction: 'DOWN' });
    const section = document.createElement('section');
    section.className = 'graph';
    const title = document.createElement('h2');
    title.textContent = g.alias;
    section.append(title, toDom(renderSvg(placed)));
    return section;
  }));
  if (ticket !== drawing) return;
  canvas.replaceChildren(...sections);
  for (const node of canvas.querySelectorAll<SVGGElement>('.node')) {
    node.addEventListener('click', () => reveal(node));
    node.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') reveal(node); });
  }
  const problems = result.diagnostics.filter((d) => d.severity !== 'info').length;
  status.textContent = `${result.graphs.reduce((n, g) => n + g.nodes.filter((x) => x.kind === 'operation').length, 0)} operations` +
    (problems ? ` · ${problems} problem${problems > 1 ? 's' : ''}` : '');
  paintOverlay();
}

function reveal(node: Element): void {
  const uid = node.getAttribute('data-uid');
  if (uid) api.postMessage({ type: 'node/reveal', uid });
}

function emptyState(r: ExtractResult): HTMLElement {
  const p = document.createElement('p');
  p.className = 'empty';
  p.textContent = r.diagnostics[0]?.message ?? 'No pyflow graph in this file: create one with new GraphBuilder() and add operations with G.add(fn)(...args).';
  return p;
}

function paintOverlay(_events?: readonly TraceEvent[]): void {
  for (const el of canvas.querySelectorAll<SVGGElement>('.node')) {
    const uid = el.getAttribute('data-uid')!;
    const state = overlay.nodes.get(uid);
    el.classList.remove('st-activated', 'st-running', 'st-finished', 'st-stillNeeded', 'st-released', 'st-error');
    if (state) el.classList.add(`st-${state.state}`);
  }
}

import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-toolbar-container/index.js';
import '@vscode-elements/elements/dist/vscode-toolbar-button/index.js';
import type { ExtractResult, HostToWebview, ViewSettings } from '../src/protocol/index.js';
import { COLLAPSE_THRESHOLD, GROUP_PREFIX, collapseByDepth, viewGraph, type ViewGraph } from '../src/drawing/viewGraph.js';
import { connectHost } from './host.js';
import { createElk } from './elk.js';
import { createOrderer } from './orderWorker.js';
import type { Placed } from '../src/drawing/layout.js';
import { layoutView } from '../src/drawing/groupLayout.js';
import { GROUP_NODE_PREFIX, groupNodeUid, groupPathOf, groupPaths, groupView, type GroupedView } from '../src/drawing/groups.js';
import { groupState } from './groupState.js';
import { graftedKeys, withGraftedStates } from './graftedStates.js';
import { renderScene } from '../src/drawing/render.js';
import { toDom } from './toDom.js';
import { emptyOverlay, type OverlayState } from './overlay.js';
import { Viewport, type FitMode, type Transform } from './viewport.js';
import { GraphInteraction } from './interaction.js';
import { exportPng, exportSvg } from './export.js';
import { Timeline } from './timeline.js';
import { RunTimes } from './runTimes.js';
import { TimeView } from './timeView.js';
import { Minimap } from './minimap.js';
import { PreviewPanel } from './preview/panel.js';

/** What survives a reload of the webview (VS Code's setState); the graph itself always comes from the host. */
interface SavedState {
  full?: boolean;
  file?: string;
  transform?: Transform;
  /** The transform is fit()'s, in this mode (the user has not zoomed or panned since): refit when the view is resized or redrawn. */
  fitted?: FitMode | false;
  selected?: string;
  /** The time view is open. */
  timeView?: boolean;
  /** The collapsed groups of each file's graphs (file → graph alias → group paths). */
  groups?: Record<string, Record<string, string[]>>;
}

/** A grouped graph larger than this (nodes drawn) opens with its top groups collapsed. */
const GROUPS_OPEN_COLLAPSED = 300;

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const canvas = $('canvas');
const status = $('status');
const problems = $('problems');
const fullToggle = $<HTMLElement & { checked: boolean }>('toggle-full');
const search = $<HTMLElement & { value: string; wrappedElement?: HTMLInputElement }>('search');
const findCount = $('find-count');

// A worker that fails is noted on the page; draw() says so in the status line (its work then runs on this thread).
const elk = createElk((reason) => {
  document.body.dataset.layoutFallback = reason;
});
const order = createOrderer((reason) => {
  document.body.dataset.orderingFallback = reason;
});
let result: ExtractResult | undefined;
/** View keys of the grafted graphs' nodes and the keys their trace gives them (see graftedStates). */
let grafted: [string, string][] = [];
/** Each grafted node's view key → the key the trace gives it. */
let tracedOf = new Map<string, string>();
let settings: ViewSettings = { direction: 'DOWN', full: false, edges: 'orthogonal' };
let overlay: OverlayState = emptyOverlay();
/** Why ops of the run shown were computed instead of read from the result cache, by `graph\u0000uid`. */
let cacheMisses = new Map<string, string>();
let views: ViewGraph[] = [];
let placed: Placed[] = [];
let drawing = 0;
let laidOutKey = '';
/** The file whose graph the canvas shows. */
let drawnFile: string | undefined;
/**
 * The last layouts by drawing key: switching between summary and full view, or undoing an edit, redraws at once
 * instead of laying out again.
 */
const layouts = new Map<string, Placed[]>();
const LAYOUT_CACHE_SIZE = 8;
/** The selected node is to be centred when next drawn (it was inside a collapsed group). */
let centreSelection = false;
/** Labels the user expanded in a collapsed large graph; `null` = everything expanded. */
let expanded: Set<string> | null = new Set();

const api = connectHost(onMessage);
let saved: SavedState = (api.getState() as SavedState | undefined) ?? {};
const save = (patch: Partial<SavedState>): void => {
  saved = { ...saved, ...patch };
  api.setState(saved);
};

const previewPanel = new PreviewPanel(
  () => interaction.focusSelected(),
  (key) => overlay.nodes.get(key),
);
const minimapRoot = $('minimap');
const minimap = new Minimap(minimapRoot, (x, y) => viewport.center(x, y));
const viewport: Viewport = new Viewport(canvas, (t) => {
  canvas.querySelector('.scene')?.setAttribute('transform', `translate(${t.x},${t.y}) scale(${t.k})`);
  minimap.setView(t, canvas.clientWidth, canvas.clientHeight);
  save({ transform: t, fitted: viewport.fitted });
});
// A view that shows the whole drawing keeps showing it when it is resized (the timeline opens, the panel is resized).
new ResizeObserver(() => {
  if (viewport.fitted) fit(viewport.fitted);
}).observe(canvas);
const interaction = new GraphInteraction(canvas, $('tooltip'), {
  reveal: (uid, graph) => {
    const group = groupPathOf(uid);
    if (group !== undefined) setCollapsed(graph, group, false);
    else if (uid.startsWith(GROUP_PREFIX)) {
      expanded?.add(uid);
      void draw(false);
    } else api.postMessage({ type: 'node/reveal', uid, graph });
  },
  open: (uid, graph) => {
    if (!uid.startsWith(GROUP_PREFIX)) api.postMessage({ type: 'node/open', uid, graph });
  },
  select: (key) => {
    save({ selected: key });
    // A grafted op's copy has its row under the key its own graph's run gives it.
    timeView.highlight(key === undefined ? undefined : (tracedOf.get(key) ?? key));
    previewPanel.select(key);
  },
  center: (x, y) => viewport.center(x, y),
  overlay: () => withGroupStates(withGraftedStates(overlay, grafted)),
  expandGroupsOf: (keys) => expandGroupsOf(keys),
  diagnostics: () => result?.diagnostics ?? [],
  cacheMiss: (key) => cacheMisses.get(key),
  status: (text) => {
    status.textContent = text;
  },
  findCount: (text) => {
    findCount.textContent = text;
  },
  setQuery: (text) => {
    search.value = text;
    interaction.search(text);
  },
});

const timeline = new Timeline(
  $('timeline'),
  $<HTMLInputElement>('timeline-slider'),
  $('timeline-play'),
  $('timeline-label'),
  $('timeline-stop'),
  $('timeline-outcome'),
  (state) => {
    overlay = state;
    interaction.schedulePaint();
    previewPanel.refresh();
    interaction.refreshMatches();
    timeView.cursor(timeline.positionTime);
  },
);
/** The views with every node (groups expanded), as `views` are drawn from. */
let wholes: ViewGraph[] = [];

/** The collapsed group paths of a graph of the drawn file. */
function collapsedOf(graph: string): Set<string> {
  return new Set(saved.groups?.[result?.file ?? '']?.[graph] ?? []);
}

function storeCollapsed(graph: string, paths: ReadonlySet<string>): void {
  const file = result?.file ?? '';
  const files = { ...saved.groups };
  files[file] = { ...files[file], [graph]: [...paths] };
  save({ groups: files });
  // The host keeps them in the workspace state too: a new panel, or a new session, opens the file as it was left.
  if (result?.file !== undefined) api.postMessage({ type: 'groups/collapsed', file: result.file, graph, paths: [...paths] });
}

/** Collapses or expands a group (a path) of a graph and redraws; the selection moves to what stands for it. */
function setCollapsed(graph: string, path: string, collapse: boolean): void {
  const paths = collapsedOf(graph);
  if (collapse) {
    paths.add(path);
    // Groups nested in it open as they were when it is expanded again.
  } else paths.delete(path);
  storeCollapsed(graph, paths);
  save({ selected: `${graph}\u0000${groupNodeUid(path)}` });
  void draw(false);
}

/** Expands the collapsed groups that hold these nodes (view keys) and redraws, the first of them selected and centred. */
function expandGroupsOf(keys: readonly string[]): void {
  for (const key of keys) {
    const [graph, uid] = key.split('\u0000') as [string, string];
    const group = wholes.find((w) => w.title === graph)?.nodes.find((n) => n.uid === uid)?.group;
    if (group !== undefined) expandPath(graph, group);
  }
  if (keys[0] !== undefined) {
    save({ selected: keys[0] });
    centreSelection = true;
  }
  void draw(false);
}

/** Selects and centres a node (a view key), expanding the groups it is collapsed in. */
function reveal(key: string): void {
  if (interaction.isDrawn(key)) interaction.selectMany([key]);
  else expandGroupsOf([key]);
}

/**
 * The drawing of a traced op (its own graph's key) that a time-view bar selects. A grafted op is drawn in its own
 * graph and as a copy in each graph that grafts it: the copy in a graph that took part in the run (the graph whose
 * evaluation used it) is chosen first, then the op in its own graph, then any copy (its own graph is not shown).
 */
function drawingOf(traced: string): string {
  const copies = grafted.filter(([, t]) => t === traced).map(([view]) => view);
  if (copies.length === 0) return traced;
  const graphOf = (key: string): string => key.slice(0, key.indexOf('\u0000'));
  const ran = new Set([...overlay.nodes.keys()].map(graphOf));
  const own = wholes.some((w) => w.title === graphOf(traced));
  return copies.find((c) => ran.has(graphOf(c))) ?? (own ? traced : copies[0]!);
}

/** Expands a group and the groups it is nested in (to show a node inside it). */
function expandPath(graph: string, path: string): void {
  const paths = collapsedOf(graph);
  const parts = path.split('/');
  for (let i = 1; i <= parts.length; i++) paths.delete(parts.slice(0, i).join('/'));
  storeCollapsed(graph, paths);
}

/** The overlay with a state for each collapsed group's node, from its members' states. */
function withGroupStates(base: OverlayState): OverlayState {
  const grouped = views.filter((v): v is GroupedView => 'members' in v && (v as GroupedView).members.size > 0);
  if (grouped.length === 0) return base;
  const nodes = new Map(base.nodes);
  for (const v of grouped) {
    for (const [uid, members] of v.members) {
      const state = groupState(members.map((m) => base.nodes.get(`${v.title}\u0000${m}`)));
      if (state) nodes.set(`${v.title}\u0000${uid}`, state);
    }
  }
  return { nodes };
}

/** Which op made each data node (view keys): the time view marks a release on its producer's row. */
let producers = new Map<string, string>();
let runTimes: RunTimes | undefined;
const timeView = new TimeView($('timeview'), $<HTMLCanvasElement>('timeview-canvas'), $('timeview-info'), {
  select: (key) => reveal(drawingOf(key)),
  label: (row) => row.split('\u0000').at(-1)!,
});
const timeViewButton = $<HTMLElement & { checked: boolean }>('time-view');
const showTimeView = (on: boolean): void => {
  timeView.show(on);
  timeViewButton.checked = on;
  save({ timeView: on });
};
/** The toggle's title says which rows the view shows: per op, or per worker once an executor ran an op. */
const titleTimeView = (): void => {
  const title = `Time view of the run, one row per ${runTimes?.byWorker ? 'worker' : 'op'} (t)`;
  if (timeViewButton.title === title) return;
  timeViewButton.title = title;
  timeViewButton.setAttribute('label', title);
};
timeViewButton.addEventListener('click', () => showTimeView(!timeView.shown));
$('timeline-stop').addEventListener('click', () => api.postMessage({ type: 'run/stop' }));

fullToggle.addEventListener('change', () => {
  settings = { ...settings, full: fullToggle.checked };
  save({ full: fullToggle.checked });
  void draw(true);
});
search.addEventListener('input', () => interaction.search(search.value));
// VS Code's find conventions: Enter next, Shift+Enter previous (the focus stays in the box), Escape leaves it.
search.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') {
    e.preventDefault();
    interaction.nextMatch(e.shiftKey ? -1 : 1);
  } else if (e.key === 'Escape') {
    e.preventDefault();
    // The inner input too: leaving it while it still shows the old text (the element redraws later) fires a
    // `change` that would put the old text back.
    search.value = '';
    if (search.wrappedElement) search.wrappedElement.value = '';
    interaction.search('');
    canvas.focus();
  }
});

function focusFind(): void {
  search.focus();
  search.wrappedElement?.select();
}
$('zoom-in').addEventListener('click', () => viewport.zoom(1.25));
$('zoom-out').addEventListener('click', () => viewport.zoom(0.8));
$('fit').addEventListener('click', () => fit('whole'));
$('deps').addEventListener('click', () => interaction.toggleDependencies());
$('export-svg').addEventListener('click', () => api.postMessage({ type: 'export/save', format: 'svg', data: exportSvg(canvas) }));
$('export-png').addEventListener('click', () => void exportPng(canvas).then((data) => api.postMessage({ type: 'export/save', format: 'png', data })));
document.addEventListener('keydown', (e) => {
  if ((e.target as HTMLElement).closest('vscode-textfield')) return;
  if ((e.ctrlKey || e.metaKey) && e.key === 'f') {
    e.preventDefault();
    focusFind();
    return;
  }
  if (e.key === '+' || e.key === '=') viewport.zoom(1.25);
  else if (e.key === '-') viewport.zoom(0.8);
  else if (e.key === '0') fit('whole');
  else if (e.key === 't' && !e.ctrlKey && !e.metaKey && !e.altKey) showTimeView(!timeView.shown);
  else if (e.key === 'c' && !e.ctrlKey && !e.metaKey && !e.altKey) collapseSelectedGroup();
});
if (saved.timeView) showTimeView(true);

function onMessage(message: HostToWebview): void {
  switch (message.type) {
    case 'graph/show': {
      const fileChanged = saved.file !== message.result.file;
      result = message.result;
      grafted = graftedKeys(result.graphs);
      tracedOf = new Map(grafted);
      // The host's memory of the collapsed groups (workspace state) seeds a view that has none for this file.
      if (message.collapsed && result.file !== undefined && saved.groups?.[result.file] === undefined) {
        save({ groups: { ...saved.groups, [result.file]: message.collapsed } });
      }
      producers = new Map(
        result.graphs.flatMap((g) => {
          const ops = new Set(g.nodes.filter((n) => n.kind === 'operation').map((n) => n.uid));
          return g.edges.filter((e) => ops.has(e.from)).map((e): [string, string] => [`${g.alias}\u0000${e.to}`, `${g.alias}\u0000${e.from}`]);
        }),
      );
      // The script's G.view(): its full/summary choice becomes the view's (and is remembered), its highlight is shown.
      const scriptFull = message.scriptView?.full;
      settings = { ...message.settings, full: scriptFull ?? saved.full ?? message.settings.full };
      fullToggle.checked = settings.full;
      save(scriptFull === undefined ? { file: result.file } : { file: result.file, full: scriptFull });
      if (fileChanged) {
        expanded = new Set();
        timeline.clear();
      }
      if (message.scriptView) interaction.highlight(message.scriptView.graph, message.scriptView.highlight);
      previewPanel.setGraphs(result.graphs);
      void draw(fileChanged);
      break;
    }
    case 'trace/reset':
      runTimes = new RunTimes((key) => producers.get(key));
      timeView.setTimes(runTimes);
      titleTimeView();
      overlay = emptyOverlay();
      cacheMisses = new Map();
      previewPanel.clear();
      status.textContent = message.title;
      timeline.reset();
      interaction.paint();
      break;
    case 'trace/append':
      timeline.append(message.events);
      runTimes?.append(message.events);
      titleTimeView();
      timeView.changed();
      break;
    case 'run/end':
      timeline.end(message.outcome, message.summary);
      previewPanel.end();
      break;
    case 'cache/missed':
      cacheMisses.set(`${message.graph}\u0000${message.uid}`, message.reason);
      break;
    case 'data/previews':
      previewPanel.add(message.previews);
      break;
    case 'find/focus':
      focusFind();
      break;
    case 'selection/set':
      interaction.selectMany(message.uids);
      break;
    case 'export/done':
      status.textContent = message.path ? `Saved ${message.path}` : message.error ? `Export failed: ${message.error}` : 'Export cancelled';
      break;
  }
}

/** Lays out and draws; re-layout only when the graph or view changed. Zoom and selection are kept. */
async function draw(refit: boolean): Promise<void> {
  const ticket = ++drawing;
  if (!result) return;
  delete canvas.dataset.drawnMs;
  renderProblems(result);
  if (result.graphs.length === 0) {
    canvas.replaceChildren(emptyState(result));
    interaction.detach();
    laidOutKey = '';
    status.textContent = '';
    return;
  }
  wholes = result.graphs.map((g) => viewGraph(g, settings.full));
  views = wholes.map((view) => {
    const paths = groupPaths(view);
    if (paths.length > 0) {
      // A large grouped graph opens with its top groups collapsed (the first time; then as the user left it).
      if (saved.groups?.[result!.file ?? '']?.[view.title] === undefined && view.nodes.length > GROUPS_OPEN_COLLAPSED) {
        storeCollapsed(view.title, new Set(paths.filter((p) => !p.includes('/'))));
      }
      return groupView(view, collapsedOf(view.title));
    }
    return expanded !== null && view.nodes.length > COLLAPSE_THRESHOLD ? collapseByDepth(view, expanded) : view;
  });
  const collapsed = views.some((v) => v.nodes.some((n) => n.uid.startsWith(GROUP_PREFIX) && !n.uid.startsWith(GROUP_NODE_PREFIX)));
  const key = JSON.stringify([views.map((v) => [v.title, v.nodes, v.edges]), settings, result.graphs.map((g) => g.verbose)]);
  const ops = result.graphs.reduce((n, g) => n + g.nodes.filter((x) => x.kind === 'operation').length, 0);
  const statusText = `${ops} operation${ops === 1 ? '' : 's'}${collapsed ? ' · large graph: layers are grouped, click a group to expand it' : ''}${result.typesPending ? ' · checking types…' : ''}`;
  // Read once the nodes are drawn (the highlight is counted on the drawn nodes).
  const withNote = (text: string): string => {
    const note = interaction.scriptedNote;
    return note === undefined ? text : `${text} · ${note}`;
  };
  if (key === laidOutKey && canvas.querySelector('svg')) {
    // Same drawing (e.g. the runtime graph of a run equals the static one): keep the elements, zoom and states.
    interaction.paint();
    status.textContent = withNote(statusText);
    return;
  }
  if (key !== laidOutKey) {
    const started = performance.now();
    const cached = layouts.get(key);
    if (cached) {
      layouts.delete(key);
      placed = cached;
    } else {
      canvas.setAttribute('aria-busy', 'true');
      // Said only when it takes a while (the first layout in a new view), not for every edit's quick relayout.
      const slow = setTimeout(() => {
        status.textContent = `Laying out ${ops} operation${ops === 1 ? '' : 's'}…`;
      }, 300);
      // A view that shows no drawing of this file yet draws the preorder's layout at once, with simple edges, while
      // ELK routes them (its worker's first layout takes about a second); ELK keeps the nodes where they are. An
      // edit's relayout keeps the old drawing instead, until ELK's is ready.
      const firsts: Placed[] = [];
      let ordered = 0;
      const early = drawnFile !== result.file || !canvas.querySelector('svg');
      const onOrdered =
        (i: number) =>
        (first: Placed): void => {
          firsts[i] = first;
          if (ticket !== drawing || ++ordered < views.length) return;
          clearTimeout(slow);
          placed = firsts;
          present(refit, true);
          status.textContent = withNote(`${statusText} · routing edges…`);
          canvas.dataset.drawnMs = String(Math.round(performance.now() - started));
        };
      const next = await Promise.all(
        views.map((view, i) =>
          layoutView(
            elk,
            view,
            { direction: settings.direction, edges: settings.edges, uidLabels: result!.graphs[i]!.verbose === true },
            order,
            early ? onOrdered(i) : undefined,
          ),
        ),
      ).finally(() => clearTimeout(slow));
      if (ticket !== drawing) return;
      placed = next;
      // The nodes stay where the first drawing put them, and so does the user's zoom.
      if (canvas.dataset.provisional) refit = false;
    }
    // Most recently used last; the oldest layouts go first.
    layouts.set(key, placed);
    if (layouts.size > LAYOUT_CACHE_SIZE) layouts.delete(layouts.keys().next().value!);
    laidOutKey = key;
    canvas.dataset.layoutMs = String(Math.round(performance.now() - started));
    canvas.dataset.drawnMs ??= canvas.dataset.layoutMs;
    canvas.dataset.layoutCached = String(cached !== undefined);
  }
  present(refit, false);
  const fallbacks = [document.body.dataset.layoutFallback, document.body.dataset.orderingFallback].filter(Boolean);
  status.textContent = withNote(fallbacks.length > 0 ? `${statusText} · layout on the main thread (${fallbacks.join('; ')})` : statusText);
}

/** Draws `placed`: the final layout, or (`provisional`) the first drawing while ELK still routes the edges. */
function present(refit: boolean, provisional: boolean): void {
  if (provisional) canvas.dataset.provisional = 'true';
  else {
    delete canvas.dataset.provisional;
    canvas.removeAttribute('aria-busy');
  }
  drawnFile = result?.file;
  const svg = toDom(renderScene(placed)) as SVGSVGElement;
  svg.removeAttribute('viewBox');
  canvas.replaceChildren(svg);
  minimap.setScene(placed, Number(svg.getAttribute('width')), Number(svg.getAttribute('height')));
  interaction.attach(
    svg,
    views,
    placed,
    wholes.map((view, i) => {
      const drawn = views[i]!;
      return 'drawnAs' in drawn ? { view, drawnAs: (drawn as GroupedView).drawnAs } : { view };
    }),
  );
  for (const header of svg.querySelectorAll<SVGGElement>('.group-header')) {
    const box = header.parentElement as unknown as SVGGElement;
    const toggle = (): void => setCollapsed(box.dataset.graph ?? '', box.dataset.group ?? '', true);
    header.addEventListener('click', toggle);
    header.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        e.stopPropagation();
        toggle();
      }
    });
  }
  // A node revealed by expanding its groups is centred once it is drawn.
  if (saved.selected) interaction.selectMany([saved.selected], centreSelection && !provisional);
  if (!provisional) centreSelection = false;
  // A new drawing is framed readably; a redraw keeps the user's zoom, or the frame of their last fit.
  if (refit || !saved.transform) fit('readable');
  else if (saved.fitted) fit(saved.fitted === 'whole' ? 'whole' : 'readable');
  else viewport.set(saved.transform);
  interaction.paint();
  minimap.setView(viewport.transform, canvas.clientWidth, canvas.clientHeight);
}

/** `c`: collapses the group the selected node is in (a collapsed group's node: the group around it). */
function collapseSelectedGroup(): void {
  const key = saved.selected;
  if (key === undefined) return;
  const [graph, uid] = key.split('\u0000') as [string, string];
  const node = views.find((v) => v.title === graph)?.nodes.find((n) => n.uid === uid);
  if (node?.group !== undefined) setCollapsed(graph, node.group, true);
}

/** Frames the drawing (see FitMode): the Fit button and `0` show all of it, a new drawing keeps its labels readable. */
function fit(mode: FitMode): void {
  const svg = canvas.querySelector('svg');
  if (svg) viewport.fit(Number(svg.getAttribute('width')), Number(svg.getAttribute('height')), mode, interaction.focusPoint);
}

function renderProblems(r: ExtractResult): void {
  const shown = r.diagnostics.filter((d) => d.severity !== 'info' || r.graphs.length > 0).slice(0, 5);
  problems.replaceChildren(
    ...shown.map((d) => {
      const li = document.createElement('li');
      li.className = `problem ${d.severity}`;
      li.textContent = `line ${d.range.line}: ${d.message}`;
      return li;
    }),
  );
  problems.hidden = shown.length === 0;
}

function emptyState(r: ExtractResult): HTMLElement {
  const p = document.createElement('p');
  p.className = 'empty';
  p.textContent =
    r.diagnostics.find((d) => d.severity === 'error')?.message ??
    'No pyflow graph in this file: create one with new GraphBuilder() and add operations with G.add(fn)(...args).';
  return p;
}

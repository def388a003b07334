/*
 * pyflow passes `color` to Graphviz, which knows the X11 colour names; CSS knows nearly all of them under the
 * same names. These are the X11/Graphviz names CSS lacks or means differently, mapped to Graphviz's values.
 */
const GRAPHVIZ_ONLY: Record<string, string> = {
  lightgoldenrod: '#eedd82',
  navyblue: '#000080',
  violetred: '#d02090',
  lightslateblue: '#8470ff',
  gray: '#c0c0c0',
  grey: '#c0c0c0',
  green: '#00ff00',
  maroon: '#b03060',
  purple: '#a020f0',
  webgray: '#808080',
  webgreen: '#008000',
  webmaroon: '#800000',
  webpurple: '#800080',
  x11gray: '#bebebe',
};

/** A fill colour for the SVG: a known name or hex code, or undefined for anything else (never passed through as markup). */
export function colorValue(color: string | undefined): string | undefined {
  if (color === undefined) return undefined;
  const c = color.trim().toLowerCase();
  if (/^#([0-9a-f]{3}|[0-9a-f]{4}|[0-9a-f]{6}|[0-9a-f]{8})$/.test(c)) return c;
  const numbered = /^([a-z]+)([1-4])$/.exec(c);
  if (numbered && isName(numbered[1]!)) return GRAPHVIZ_ONLY[numbered[1]!] ?? numbered[1]!;
  const gray = /^gr[ae]y(\d{1,3})$/.exec(c);
  if (gray && Number(gray[1]) <= 100) {
    const v = Math.round((Number(gray[1]) / 100) * 255)
      .toString(16)
      .padStart(2, '0');
    return `#${v}${v}${v}`;
  }
  if (GRAPHVIZ_ONLY[c]) return GRAPHVIZ_ONLY[c];
  return isName(c) ? c : undefined;
}

const CSS_NAMES = new Set(
  'aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond blue blueviolet brown burlywood cadetblue chartreuse chocolate coral cornflowerblue cornsilk crimson cyan darkblue darkcyan darkgoldenrod darkgray darkgreen darkgrey darkkhaki darkmagenta darkolivegreen darkorange darkorchid darkred darksalmon darkseagreen darkslateblue darkslategray darkslategrey darkturquoise darkviolet deeppink deepskyblue dimgray dimgrey dodgerblue firebrick floralwhite forestgreen fuchsia gainsboro ghostwhite gold goldenrod gray green greenyellow grey honeydew hotpink indianred indigo ivory khaki lavender lavenderblush lawngreen lemonchiffon lightblue lightcoral lightcyan lightgoldenrodyellow lightgray lightgreen lightgrey lightpink lightsalmon lightseagreen lightskyblue lightslategray lightslategrey lightsteelblue lightyellow lime limegreen linen magenta maroon mediumaquamarine mediumblue mediumorchid mediumpurple mediumseagreen mediumslateblue mediumspringgreen mediumturquoise mediumvioletred midnightblue mintcream mistyrose moccasin navajowhite navy oldlace olive olivedrab orange orangered orchid palegoldenrod palegreen paleturquoise palevioletred papayawhip peachpuff peru pink plum powderblue purple rebeccapurple red rosybrown royalblue saddlebrown salmon sandybrown seagreen seashell sienna silver skyblue slateblue slategray slategrey snow springgreen steelblue tan teal thistle tomato turquoise violet wheat white whitesmoke yellow yellowgreen'.split(
    ' ',
  ),
);

function isName(c: string): boolean {
  return CSS_NAMES.has(c) || c in GRAPHVIZ_ONLY;
}

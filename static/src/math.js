// A small markdown-it plugin for TeX maths rendered by KaTeX:
// inline $…$ and \(…\), display $$…$$ and \[…\] (also spanning lines).
// An unclosed delimiter stays plain text, so a half-streamed formula never breaks the page.
import katex from "katex";
import { deferStyles } from "./styles.js";

const render = (tex, displayMode) =>
  deferStyles(katex.renderToString(tex, { displayMode, throwOnError: false, output: "htmlAndMathml" }));

const INLINE = [
  ["$$", "$$"],
  ["\\(", "\\)"],
  ["$", "$"],
];

function inlineMath(state, silent) {
  const { src, pos } = state;
  const pair = INLINE.find(([open]) => src.startsWith(open, pos));
  if (!pair) return false;
  const [open, close] = pair;
  const from = pos + open.length;
  let end = src.indexOf(close, from);
  while (end !== -1 && src[end - 1] === "\\") end = src.indexOf(close, end + 1);
  if (end === -1 || end === from) return false;
  const tex = src.slice(from, end);
  // "$5 and $6" is money, not maths: a single $ must hug its formula and not precede a digit.
  if (open === "$" && (/^\s|\s$/.test(tex) || /\d/.test(src[end + 1] ?? ""))) return false;
  if (!silent) {
    const token = state.push(open === "$$" ? "math_block_inline" : "math_inline", "math", 0);
    token.content = tex;
  }
  state.pos = end + close.length;
  return true;
}

function blockMath(state, startLine, endLine, silent) {
  const lineText = (line) => state.src.slice(state.bMarks[line] + state.tShift[line], state.eMarks[line]);
  if (state.sCount[startLine] - state.blkIndent >= 4) return false;
  const first = lineText(startLine);
  const open = first.startsWith("$$") ? "$$" : first.startsWith("\\[") ? "\\[" : null;
  if (!open) return false;
  const close = open === "$$" ? "$$" : "\\]";
  let body = first.slice(open.length);
  let line = startLine;
  let closed = body.trimEnd().endsWith(close);
  if (closed) body = body.trimEnd().slice(0, -close.length);
  while (!closed && ++line < endLine) {
    const text = lineText(line).trimEnd();
    closed = text.endsWith(close);
    body += "\n" + (closed ? text.slice(0, -close.length) : text);
  }
  if (!closed) return false;
  if (silent) return true;
  state.line = line + 1;
  const token = state.push("math_block", "math", 0);
  token.block = true;
  token.content = body.trim();
  token.map = [startLine, state.line];
  return true;
}

export default function mathPlugin(md) {
  md.inline.ruler.before("escape", "math_inline", inlineMath);
  md.block.ruler.before("fence", "math_block", blockMath, {
    alt: ["paragraph", "reference", "blockquote", "list"],
  });
  md.renderer.rules.math_inline = (tokens, idx) => render(tokens[idx].content, false);
  md.renderer.rules.math_block_inline = (tokens, idx) => render(tokens[idx].content, true);
  md.renderer.rules.math_block = (tokens, idx) =>
    `<div class="math-display">${render(tokens[idx].content, true)}</div>\n`;
}

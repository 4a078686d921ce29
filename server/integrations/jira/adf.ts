import type { JsonObject, JsonValue } from '../../agents/define-agent';

/**
 * JIRA Cloud REST v3 takes rich text (descriptions, comments) as Atlassian Document Format.
 * Plain text becomes one paragraph per line break pair; an object that already is ADF passes as is.
 */
export function toAdf(value: JsonValue): JsonObject | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'object' && !Array.isArray(value) && value.type === 'doc') return value;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const paragraphs = text.split(/\r?\n\s*\r?\n/).map((p) => p.trim()).filter(Boolean);
  return {
    type: 'doc',
    version: 1,
    content: paragraphs.map((p) => ({
      type: 'paragraph',
      content: p.split(/\r?\n/).flatMap((line, i): JsonObject[] => [...(i ? [{ type: 'hardBreak' }] : []), ...(line ? [{ type: 'text', text: line }] : [])]),
    })),
  };
}

/** The text of an ADF document (paragraphs separated by blank lines); '' for empty or missing. */
export function adfToText(doc: JsonValue | undefined): string {
  if (doc === null || doc === undefined) return '';
  if (typeof doc === 'string') return doc;
  const blocks: string[] = [];
  const inline = (node: JsonValue): string => {
    if (!node || typeof node !== 'object' || Array.isArray(node)) return '';
    if (node.type === 'text' && typeof node.text === 'string') return node.text;
    if (node.type === 'hardBreak') return '\n';
    return Array.isArray(node.content) ? node.content.map(inline).join('') : '';
  };
  const walk = (node: JsonValue) => {
    if (!node || typeof node !== 'object' || Array.isArray(node)) return;
    const content = Array.isArray(node.content) ? node.content : [];
    if (node.type === 'doc' || node.type === 'bulletList' || node.type === 'orderedList' || node.type === 'listItem' || node.type === 'blockquote') {
      content.forEach(walk);
    } else {
      blocks.push(inline(node));
    }
  };
  walk(doc);
  return blocks.filter((b) => b !== '').join('\n\n');
}

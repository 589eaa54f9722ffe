// JSON.parse keeps the last of two equal keys, so {"email":"a","email":"b"} would be read
// differently by different parsers on its way through proxies and logs. We refuse such bodies.

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);

/** The first key that appears twice in one object of `json`, which must already be valid JSON. */
export function findDuplicateKey(json: string): string | undefined {
  // One entry per open container: the keys seen so far for an object, null for an array.
  const open: Array<Set<string> | null> = [];
  let i = 0;
  while (i < json.length) {
    const ch = json[i];
    if (ch === '"') {
      let end = i + 1;
      while (json[end] !== '"') end += json[end] === '\\' ? 2 : 1;
      const literal = json.slice(i, end + 1);
      i = end + 1;
      let next = i;
      while (WHITESPACE.has(json[next]!)) next++;
      const keys = open[open.length - 1];
      if (keys && json[next] === ':') {
        const key = JSON.parse(literal) as string; // compares "a" and "\u0061" as the same key
        if (keys.has(key)) return key;
        keys.add(key);
      }
      continue;
    }
    if (ch === '{') open.push(new Set());
    else if (ch === '[') open.push(null);
    else if (ch === '}' || ch === ']') open.pop();
    i++;
  }
  return undefined;
}

/**
 * Where JSON text stops being valid and what was expected there: Node 20's JSON.parse often names
 * neither ("Unexpected token '}', …is not valid JSON"), and a params file's reader needs the line.
 */
export function jsonError(text: string): { offset: number; expected: string } | null {
  let i = 0;
  const fail = (expected: string): never => {
    throw { offset: i, expected };
  };
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text.charAt(i))) i++;
  };
  const literal = /(?:true|false|null)/y;
  const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?/y;
  // eslint-disable-next-line no-control-regex
  const string = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
  const token = (re: RegExp): boolean => {
    re.lastIndex = i;
    if (!re.test(text)) return false;
    i = re.lastIndex;
    return true;
  };
  const value = (): void => {
    ws();
    const c = text.charAt(i);
    if (c === '{') {
      i++;
      ws();
      if (text.charAt(i) === '}') return void i++;
      for (;;) {
        ws();
        if (!token(string)) fail('a property name in double quotes');
        ws();
        if (text.charAt(i) !== ':') fail("':' after the property name");
        i++;
        value();
        ws();
        if (text.charAt(i) === ',') i++;
        else if (text.charAt(i) === '}') return void i++;
        else fail("',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text.charAt(i) === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text.charAt(i) === ',') i++;
        else if (text.charAt(i) === ']') return void i++;
        else fail("',' or ']'");
      }
    }
    if (c === '"') {
      if (!token(string)) fail('a string closed on its line, with valid escapes');
      return;
    }
    if (!token(literal) && !token(number))
      fail('a value (string, number, object, array, true, false or null)');
  };
  try {
    value();
    ws();
    if (i < text.length) fail('the end of the file after the top-level value');
    return null;
  } catch (e) {
    if (typeof e === 'object' && e !== null && 'offset' in e && 'expected' in e)
      return { offset: Number(e.offset), expected: String(e.expected) };
    throw e;
  }
}

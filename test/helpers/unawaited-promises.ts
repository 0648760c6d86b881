/**
 * Finds promises used as values where a value was meant: in an object literal, a spread, a template, a condition,
 * or the left of `??`, `||`, `&&`, a comparison or arithmetic. TypeScript accepts most of these (a promise is an
 * object, never nullish, always truthy), and the lint rules look at statements, not values. Each was a real bug
 * while the stores became asynchronous: a job reporting `{ escalated: Promise {} }`, an interceptor whose `??` chain
 * stopped at a promise of undefined.
 */
import ts from "typescript";

export interface UnawaitedPromise {
  file: string;
  line: number;
  text: string;
}

/** Every such use in the project's files under `folders` and not under `except` (paths relative to `root`). */
export function unawaitedPromises(
  root: string,
  folders: readonly string[],
  except: readonly string[] = [],
): UnawaitedPromise[] {
  const host = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined };
  const config = ts.getParsedCommandLineOfConfigFile(`${root}/tsconfig.json`, {}, host);
  if (!config) throw new Error("tsconfig.json could not be read");
  const program = ts.createProgram(config.fileNames, config.options);
  const checker = program.getTypeChecker();
  const isPromise = (node: ts.Node) => checker.typeToString(checker.getTypeAtLocation(node)).startsWith("Promise<");
  const expectsPromise = (node: ts.Expression) => {
    const expected = checker.getContextualType(node);
    return expected !== undefined && /Promise|Awaitable/.test(checker.typeToString(expected));
  };
  const found: UnawaitedPromise[] = [];
  for (const source of program.getSourceFiles()) {
    const file = source.fileName.slice(root.length + 1);
    if (!folders.some((folder) => file.startsWith(folder)) || except.some((folder) => file.startsWith(folder)))
      continue;
    const visit = (node: ts.Node): void => {
      const value = valueOf(node, source);
      if (
        value &&
        !ts.isAwaitExpression(value) &&
        !ts.isFunctionLike(value) &&
        isPromise(value) &&
        !expectsPromise(value)
      ) {
        const line = source.getLineAndCharacterOfPosition(value.getStart(source)).line + 1;
        found.push({ file, line, text: value.getText(source).slice(0, 80) });
      }
      node.forEachChild(visit);
    };
    visit(source);
  }
  return found;
}

const VALUE_OPERATORS = new Set(["??", "||", "&&", "===", "!==", "==", "!=", "+", "-", "<", ">", "<=", ">="]);

/** The expression `node` uses as a plain value, if it is one of the places this check looks at. */
function valueOf(node: ts.Node, source: ts.SourceFile): ts.Expression | undefined {
  if (ts.isPropertyAssignment(node)) return node.initializer;
  if (ts.isShorthandPropertyAssignment(node)) return node.name;
  if (ts.isSpreadAssignment(node) || ts.isSpreadElement(node) || ts.isTemplateSpan(node)) return node.expression;
  if (ts.isBinaryExpression(node) && VALUE_OPERATORS.has(node.operatorToken.getText(source))) return node.left;
  if (ts.isConditionalExpression(node)) return node.condition;
  if (ts.isPrefixUnaryExpression(node)) return node.operand;
  return undefined;
}

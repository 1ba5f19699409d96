/**
 * Reads what only an SDK client's type declarations say: which string members are enums (and
 * their values), since the Smithy schemas encode an enum as a plain string. Uses TypeScript's
 * compiler API on `dist-types/models/*.d.ts`: enums are `declare const X: { readonly K: "v" }`,
 * members are interface properties (`launchType?: LaunchType | undefined`,
 * `include?: ClusterField[]`), union members live in a namespace of `<Name>Member` interfaces,
 * and errors are classes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

/** A member's declared type, reduced to what enum lookup needs. */
export type DeclaredType =
  | { kind: 'ref'; name: string }
  | { kind: 'array'; element: DeclaredType }
  | { kind: 'record'; key: DeclaredType; value: DeclaredType }
  | { kind: 'other' };

/** The declarations of one client. */
export interface SdkDeclarations {
  /** Enum name → its values, in declaration order. */
  enums: Map<string, string[]>;
  /** Structure (interface, union or error class) name → member name → declared type. */
  members: Map<string, Map<string, DeclaredType>>;
  /** Every type name the models export (to name operation input/output types). */
  typeNames: Set<string>;
}

function declaredType(node: ts.TypeNode | undefined): DeclaredType {
  if (!node) return { kind: 'other' };
  if (ts.isParenthesizedTypeNode(node)) return declaredType(node.type);
  if (ts.isUnionTypeNode(node)) {
    const parts = node.types.filter((t) => t.kind !== ts.SyntaxKind.UndefinedKeyword && !(ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.NullKeyword));
    return parts.length === 1 ? declaredType(parts[0]) : { kind: 'other' };
  }
  if (ts.isArrayTypeNode(node)) return { kind: 'array', element: declaredType(node.elementType) };
  if (ts.isTypeReferenceNode(node)) {
    const name = node.typeName.getText();
    const args = node.typeArguments ?? [];
    if (name === 'Partial' && args.length === 1) return declaredType(args[0]);
    if (name === 'Record' && args.length === 2) return { kind: 'record', key: declaredType(args[0]), value: declaredType(args[1]) };
    if (name === 'Array' && args.length === 1) return { kind: 'array', element: declaredType(args[0]) };
    return { kind: 'ref', name };
  }
  return { kind: 'other' };
}

function propertyTypes(members: ts.NodeArray<ts.TypeElement> | ts.NodeArray<ts.ClassElement>): Map<string, DeclaredType> {
  const out = new Map<string, DeclaredType>();
  for (const member of members) {
    if (!(ts.isPropertySignature(member) || ts.isPropertyDeclaration(member))) continue;
    if (member.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword)) continue;
    const name = member.name.getText().replace(/^["']|["']$/g, '');
    if (name === '$unknown' || name === '$fault' || name === '$retryable') continue;
    if (member.type?.kind === ts.SyntaxKind.NeverKeyword) continue;
    out.set(name, declaredType(member.type));
  }
  return out;
}

function enumValues(declaration: ts.VariableDeclaration): string[] | undefined {
  const type = declaration.type;
  if (!type || !ts.isTypeLiteralNode(type)) return undefined;
  const values: string[] = [];
  for (const member of type.members) {
    if (!ts.isPropertySignature(member) || !member.type || !ts.isLiteralTypeNode(member.type)) return undefined;
    const literal = member.type.literal;
    if (!ts.isStringLiteral(literal)) return undefined;
    values.push(literal.text);
  }
  return values;
}

/** Reads `dist-types/models/*.d.ts` of a client package directory. */
export function readSdkDeclarations(packageDir: string): SdkDeclarations {
  const dir = join(packageDir, 'dist-types', 'models');
  const result: SdkDeclarations = { enums: new Map(), members: new Map(), typeNames: new Set() };
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.d.ts')).sort()) {
    const source = ts.createSourceFile(file, readFileSync(join(dir, file), 'utf8'), ts.ScriptTarget.Latest, true);
    for (const statement of source.statements) {
      if (ts.isInterfaceDeclaration(statement)) {
        result.typeNames.add(statement.name.text);
        result.members.set(statement.name.text, propertyTypes(statement.members));
      } else if (ts.isClassDeclaration(statement) && statement.name) {
        result.typeNames.add(statement.name.text);
        result.members.set(statement.name.text, propertyTypes(statement.members));
      } else if (ts.isTypeAliasDeclaration(statement)) {
        result.typeNames.add(statement.name.text);
      } else if (ts.isVariableStatement(statement)) {
        for (const declaration of statement.declarationList.declarations) {
          const values = enumValues(declaration);
          if (values && ts.isIdentifier(declaration.name)) result.enums.set(declaration.name.text, values);
        }
      } else if (ts.isModuleDeclaration(statement) && statement.body && ts.isModuleBlock(statement.body)) {
        // A union: `namespace U { interface AMember { a: T; $unknown?: never } ... }`.
        const union = new Map<string, DeclaredType>();
        for (const inner of statement.body.statements) {
          if (!ts.isInterfaceDeclaration(inner) || !inner.name.text.endsWith('Member') || inner.name.text === '$UnknownMember') continue;
          for (const [name, type] of propertyTypes(inner.members)) union.set(name, type);
        }
        if (union.size > 0) result.members.set(statement.name.text, union);
      }
    }
  }
  return result;
}

/**
 * The little XML the Query protocols' responses need: elements, text and one attribute
 * (`xmlns`), written in order into a string. No parser and no dependency: Wharf only writes
 * XML; requests arrive form-encoded.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/**
 * Text made safe for element content and attribute values. Carriage returns and other control
 * characters are written as character references: a raw `\r` would be read back as `\n`
 * (XML normalizes line ends), and raw C0 controls are not XML at all.
 */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']|[\u0000-\u0008\u000B-\u001F]/g,
    (c) => ESCAPES[c] ?? `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`);
}

/** Builds one XML document, element by element. Element names come from service models and are trusted. */
export class XmlWriter {
  private readonly parts: string[] = [];

  /** Opens `<name attr="…">`. */
  start(name: string, attributes: Record<string, string | undefined> = {}): this {
    let attrs = '';
    for (const [key, value] of Object.entries(attributes)) {
      if (value !== undefined) attrs += ` ${key}="${escapeXml(value)}"`;
    }
    this.parts.push(`<${name}${attrs}>`);
    return this;
  }

  /** Closes `</name>`. */
  end(name: string): this {
    this.parts.push(`</${name}>`);
    return this;
  }

  /** `<name>text</name>`, the text escaped. */
  leaf(name: string, text: string): this {
    this.parts.push(`<${name}>${escapeXml(text)}</${name}>`);
    return this;
  }

  /** The document so far. */
  toString(): string {
    return this.parts.join('');
  }
}

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { escapeXml, XmlWriter } from './xml.ts';

describe('escapeXml', () => {
  it('escapes markup characters and quotes', () => {
    assert.equal(escapeXml(`<a href="x">Tom & Jerry's</a>`), '&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt;');
  });

  it('writes carriage returns and control characters as references, keeps tabs, newlines and Unicode', () => {
    assert.equal(escapeXml('a\r\nb\tc\u0000d\u001Fé😀'), 'a&#xD;\nb\tc&#x0;d&#x1F;é😀');
  });

  it('leaves plain text alone', () => {
    assert.equal(escapeXml('arn:aws:iam::123456789012:user/alice'), 'arn:aws:iam::123456789012:user/alice');
  });
});

describe('XmlWriter', () => {
  it('writes elements, escaped text and attributes in order, skipping undefined attributes', () => {
    const w = new XmlWriter();
    w.start('Root', { xmlns: 'https://x.example/?a=1&b=2', skipped: undefined }).leaf('Name', '<n>').start('Empty').end('Empty').end('Root');
    assert.equal(w.toString(), '<Root xmlns="https://x.example/?a=1&amp;b=2"><Name>&lt;n&gt;</Name><Empty></Empty></Root>');
  });
});

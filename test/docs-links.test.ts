/**
 * Links and citations stay inside the repository. No file may cite the design notes that were
 * kept outside it (their content lives in docs/math.md and docs/architecture.md): a reader of a
 * clone cannot open them. And every relative link of a Markdown file (README.md, docs/, model
 * cards, fixtures' notes) must point at a file or folder of the repository that exists, and at a
 * heading of it when the link names one.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
/** This file names the patterns it looks for. */
const SELF = 'test/docs-links.test.ts';
/** Build output and local state (.gitignore), walked over when git is not available. */
const NOT_SOURCE = new Set(['.git', 'node_modules', 'dist', 'runs', 'coverage', 'parity-report']);

/** The repository's files, relative to ROOT: tracked and new ones that .gitignore does not exclude. */
function repositoryFiles(): string[] {
  const git = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (git.status === 0 && git.stdout) {
    return [...new Set(git.stdout.split('\0'))].filter((f) => f && existsSync(join(ROOT, f)) && statSync(join(ROOT, f)).isFile());
  }
  const walk = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) return NOT_SOURCE.has(entry.name) ? [] : walk(path);
      return entry.isFile() ? [path] : [];
    });
  return walk('');
}

/** The text of a file, or null for binary files (a NUL byte in the first 8 KiB). */
function textOf(file: string): string | null {
  const bytes = readFileSync(join(ROOT, file));
  return bytes.subarray(0, 8192).includes(0) ? null : bytes.toString('utf8');
}

/** Paths and names of notes outside the repository: the private design folder and its files. */
const OUTSIDE = [
  { pattern: /\.\.\/shared\b/, what: 'a path to ../shared, outside the repository' },
  { pattern: /\/work\/shared\b/, what: 'an absolute path outside the repository' },
  { pattern: /(?<![\w.-])(?:VAE|DESIGN|STYLE)\.md\b/, what: 'a design note that is not in the repository (cite docs/math.md or docs/architecture.md)' },
];

/** `file:line: what — the line` for every citation of something outside the repository. */
function outsideCitations(file: string, text: string): string[] {
  const found: string[] = [];
  text.split('\n').forEach((line, i) => {
    for (const { pattern, what } of OUTSIDE) {
      if (pattern.test(line)) found.push(`${file}:${i + 1}: ${what} — ${line.trim().slice(0, 160)}`);
    }
  });
  return found;
}

/** Markdown text without fenced code blocks and inline code spans (links there are examples). */
function prose(markdown: string): string {
  return markdown
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, (block) => block.replace(/[^\n]/g, ' '))
    .replace(/`[^`\n]*`/g, (code) => ' '.repeat(code.length));
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors a Markdown text defines: its headings (duplicates numbered as GitHub does) and HTML ids. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const text = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  for (const m of text.matchAll(/^#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$/gm)) {
    const base = slug(m[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  for (const m of text.matchAll(/<a\s[^>]*(?:name|id)="([^"]+)"/g)) anchors.add(m[1]!);
  return anchors;
}

/** Link targets of a Markdown text: inline links and images, and reference definitions. */
function linkTargets(markdown: string): { target: string; line: number }[] {
  const text = prose(markdown);
  const lineAt = (index: number) => text.slice(0, index).split('\n').length;
  const targets: { target: string; line: number }[] = [];
  for (const m of text.matchAll(/\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+["'(][^)]*)?\)/g)) {
    targets.push({ target: m[1]!.replace(/^<|>$/g, ''), line: lineAt(m.index!) });
  }
  for (const m of text.matchAll(/^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/gm)) {
    targets.push({ target: m[1]!.replace(/^<|>$/g, ''), line: lineAt(m.index!) });
  }
  return targets;
}

/**
 * `file:line: problem` for every relative link of the Markdown file `file` (relative to `root`)
 * that leaves the repository, names a missing file, or names a heading its Markdown target lacks.
 */
function deadLinks(root: string, file: string, markdown: string): string[] {
  const problems: string[] = [];
  for (const { target, line } of linkTargets(markdown)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue; // https:, mailto:, …
    const hash = target.indexOf('#');
    const pathPart = decodeURIComponent(hash < 0 ? target : target.slice(0, hash));
    const anchor = hash < 0 ? null : decodeURIComponent(target.slice(hash + 1));
    const where = `${file}:${line}: [${target}]`;
    if (pathPart === '') {
      if (anchor && !anchorsOf(markdown).has(anchor)) problems.push(`${where} names a heading this file does not have`);
      continue;
    }
    // A leading / is the repository's root, as on GitHub.
    const path = pathPart.startsWith('/') ? join(root, pathPart) : resolve(root, dirname(file), pathPart);
    if (path !== root && !path.startsWith(root + sep)) {
      problems.push(`${where} points outside the repository`);
      continue;
    }
    if (!existsSync(path)) {
      problems.push(`${where} names ${relative(root, path)}, which does not exist`);
      continue;
    }
    if (anchor && path.endsWith('.md') && statSync(path).isFile() && !anchorsOf(readFileSync(path, 'utf8')).has(anchor)) {
      problems.push(`${where} names the heading #${anchor}, which ${relative(root, path)} does not have`);
    }
  }
  return problems;
}

const files = repositoryFiles();

describe('links and citations stay inside the repository', () => {
  it('reads the repository', () => {
    expect(files).toContain('README.md');
    expect(files).toContain('docs/math.md');
    expect(files).toContain('docs/architecture.md');
  });

  it('no file cites a note kept outside the repository', () => {
    const found = files
      .filter((f) => f !== SELF)
      .flatMap((f) => {
        const text = textOf(f);
        return text === null ? [] : outsideCitations(f, text);
      });
    expect(found).toEqual([]);
  });

  it('every relative link of a Markdown file names a file (and heading) that exists', () => {
    const markdown = files.filter((f) => f.endsWith('.md'));
    expect(markdown).toEqual(expect.arrayContaining(['README.md', 'docs/manifest.md']));
    expect(markdown.flatMap((f) => deadLinks(ROOT, f, readFileSync(join(ROOT, f), 'utf8')))).toEqual([]);
  });

  it('catches what it is for (the checks can fail)', () => {
    const cited = ['see VAE.md', 'the notes in DESIGN.md, "Graph contract"', '[notes](../shared/VAE.md)', 'CVAE.md is fine', 'docs/math.md'].join('\n');
    expect(outsideCitations('x.ts', cited).map((p) => p.split(':').slice(0, 2).join(':'))).toEqual(['x.ts:1', 'x.ts:2', 'x.ts:3', 'x.ts:3']);
    const doc = [
      '# Title',
      '[ok](docs/manifest.md#the-graph-contract) [ok too](#title) ![pic](docs/cvae-mlp-samples.png)',
      '[gone](docs/missing.md) [outside](../elsewhere.md)',
      '[no such heading](docs/manifest.md#no-such-heading) [https](https://example.com/x.md) [here](#nowhere)',
      '`[in code](missing.md)`',
      '```',
      '[in a block](missing.md)',
      '```',
    ].join('\n');
    expect(deadLinks(ROOT, 'README.md', doc)).toEqual([
      'README.md:3: [docs/missing.md] names docs/missing.md, which does not exist',
      'README.md:3: [../elsewhere.md] points outside the repository',
      'README.md:4: [docs/manifest.md#no-such-heading] names the heading #no-such-heading, which docs/manifest.md does not have',
      'README.md:4: [#nowhere] names a heading this file does not have',
    ]);
  });
});

/** Recipes for docs/capacity.md (capacity, segments and merge, SSH, k6 export) and docs/outputs.md's tooling (promtool, dashboards). */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ROOT } from '../doc-commands.ts';
import type { Entry } from '../recipe.ts';

/** A capacity search small enough for CI: two scales, one repeat each, short steps. */
const SMALL_SEARCH = '--start-scale 0.005 --max-scale 0.01 --repeats 1 --step-duration 8s --out out/capacity';
const SMALL_WHY = `the search runs up to 12 scales × 3 repeats × 20 s; here ${SMALL_SEARCH} (two scales, one repeat) on the reference server at a free port`;

export const capacity: Entry[] = [
  {
    doc: [
      'npx picco serve --port 8080 &',
      'npx picco capacity --target http://127.0.0.1:8080 --scenario card-peak',
    ],
    change: [['--scenario card-peak', `--scenario card-peak ${SMALL_SEARCH}`]],
    why: SMALL_WHY,
    exits: [[0, 99]],
    timeoutMs: 180_000,
    check: (r) => {
      for (const f of ['capacity.md', 'capacity.html', 'capacity.json', 'capacity-slo.yaml']) expect(existsSync(join(r.cwd, 'out', 'capacity', f)), f).toBe(true);
    },
  },
  {
    doc: [
      'npx picco capacity --target http://127.0.0.1:8080 --workers 2 --usl usl.json',
      'npx picco capacity --usl usl.json',
    ],
    server: [],
    // Measurements at 1 and 3 instances "made elsewhere", written by hand as docs/capacity.md allows,
    // so that the size this recipe adds (2) makes three worker counts to fit.
    setup: async (cwd) => {
      writeFileSync(join(cwd, 'usl.json'), JSON.stringify({ measurements: [
        { workers: 1, cardAdditionsPerS: 60, opsPerS: 61 },
        { workers: 3, cardAdditionsPerS: 150, opsPerS: 152 },
      ] }));
      return { vars: {}, teardown: async () => {} };
    },
    change: [
      ['http://127.0.0.1:8080', '{server}'],
      ['--workers 2 --usl usl.json', `--workers 2 --usl usl.json ${SMALL_SEARCH}`],
    ],
    why: `${SMALL_WHY}; usl.json starts with measurements at 1 and 3 instances written by hand (as for measurements made elsewhere), so the fit has three sizes`,
    exits: [[0, 99], 0],
    timeoutMs: 180_000,
    check: (r) => {
      const usl = JSON.parse(readFileSync(join(r.cwd, 'usl.json'), 'utf8')) as { measurements: Array<{ workers: number }> };
      expect(new Set(usl.measurements.map((m) => m.workers)).size).toBeGreaterThanOrEqual(2);
      expect(r.lines[1]!.stdout).toMatch(/capacity\.md/);
    },
  },
  {
    doc: [
      'npx picco run update-reenroll --target http://10.0.0.5:8080 --scale 0.5 --segment 1/2 --out out/seg-1',
      'npx picco run update-reenroll --target http://10.0.0.5:8080 --scale 0.5 --segment 2/2 --out out/seg-2',
      'npx picco report --merge out/seg-1 out/seg-2 --out out/merged',
      'npx picco report --merge out/seg-* --out out/merged',
    ],
    server: [],
    change: [['http://10.0.0.5:8080', '{server}'], ['--scale 0.5', '--scale 0.0005 --speed 1440 --duration 12s']],
    why: 'load goes only to loopback: the reference server on a free port stands for 10.0.0.5; scale 0.5 at speed 1 is a day of load, here 12 s of 7 Dec at scale 0.0005 and speed 1440 (its preload is 6 s)',
    exits: [[0, 98, 99], [0, 98, 99], [0, 98, 99], [0, 98, 99]],
    timeoutMs: 90_000,
    check: (r) => {
      const seg = (d: string): { requests: { total: number } } => JSON.parse(readFileSync(join(r.cwd, 'out', d, 'summary.json'), 'utf8'));
      expect(seg('merged').requests.total).toBe(seg('seg-1').requests.total + seg('seg-2').requests.total);
      for (const f of ['report.html', 'summary.md', 'junit.xml']) expect(existsSync(join(r.cwd, 'out', 'merged', f)), f).toBe(true);
    },
  },
  {
    doc: ['deploy/ssh/run-segments.sh -s update-reenroll -t http://10.0.0.5:8080 -x 0.5 gen1 gen2 gen3'],
    change: [['deploy/ssh/run-segments.sh', 'PICCO_SSH_DRY_RUN=1 deploy/ssh/run-segments.sh']],
    why: 'no SSH hosts here: the dry run (documented beside it) prints the commands each host would run',
    check: ({ lines: [l] }) => {
      for (const k of [1, 2, 3]) expect(l!.stdout).toMatch(new RegExp(`--segment\\\\? ${k}/3`)); // the dry run prints ssh's escaped arguments
      expect(l!.stdout).toMatch(/report --merge/);
    },
  },
  {
    doc: [
      'deploy/ssh/run-segments.sh -s card-peak -t http://10.0.0.5:8080 -x 0.5 -a +60 gen1 gen2 gen3',
      'deploy/ssh/run-segments.sh -s card-peak -t http://10.0.0.5:8080 -x 0.5 -a 2026-12-08T09:00:00Z gen1 gen2 gen3',
    ],
    change: [['deploy/ssh/run-segments.sh', 'PICCO_SSH_DRY_RUN=1 deploy/ssh/run-segments.sh']],
    why: 'no SSH hosts here: the dry run (documented beside it) prints the commands each host would run',
    check: ({ lines: [relative, fixed] }) => {
      // one ISO instant, resolved once, the same on every host
      const starts = (out: string) => [...out.matchAll(/--start-at\\? (\S+?)\\? /g)].map((m) => m[1]);
      const rel = starts(relative!.stdout);
      expect(rel).toHaveLength(3);
      expect(new Set(rel).size).toBe(1);
      expect(rel[0]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(starts(fixed!.stdout)).toEqual(['2026-12-08T09:00:00Z', '2026-12-08T09:00:00Z', '2026-12-08T09:00:00Z']);
    },
  },
  {
    doc: [
      'deploy/kubernetes/submit.sh',
      'deploy/kubernetes/submit.sh -m 600',
      'deploy/kubernetes/submit.sh -a 2026-12-08T09:00:00Z',
    ],
    change: [['deploy/kubernetes/submit.sh', 'PICCO_KUBECTL_DRY_RUN=1 deploy/kubernetes/submit.sh']],
    why: 'no cluster here: the dry run (documented beside it) prints the Job as it would be applied',
    check: ({ lines }) => {
      for (const l of lines) expect(l.stdout).toMatch(/name: PICCO_START_AT\n\s+value: "\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z"/);
      expect(lines[2]!.stdout).toContain('value: "2026-12-08T09:00:00Z"');
    },
  },
  {
    doc: ['npx picco export k6 update-reenroll --scale 0.5 --speed 60 --out out/k6 --parallelism 8'],
    timeoutMs: 120_000,
    check: (r) => {
      expect(readFileSync(join(r.cwd, 'out', 'k6', 'script.js'), 'utf8')).toMatch(/k6\/http/);
      expect(readFileSync(join(r.cwd, 'out', 'k6', 'testrun.yaml'), 'utf8')).toMatch(/parallelism: 8/);
    },
  },
  {
    doc: [
      'npx picco export k6 card-peak --scale 1 --out out/k6-card-peak',
      'node --expose-gc test/export/k6-double/init-cost.mjs out/k6-card-peak/script.js 20',
    ],
    change: [['test/export/k6-double/init-cost.mjs', join(ROOT, 'test', 'export', 'k6-double', 'init-cost.mjs')]],
    why: 'the scratch directory links the checkout but not test/: the measuring script is named where it lives',
    timeoutMs: 120_000,
    check: (r) => {
      const m = JSON.parse(r.lines[1]!.stdout.trim().split('\n').pop()!) as { bytes: number; vus: number; heapPerVuKB: number };
      expect(m.vus).toBe(20);
      expect(m.bytes).toBeGreaterThan(0);
      expect(m.heapPerVuKB).toBeGreaterThan(0);
    },
  },
  {
    doc: ['promtool check config dashboards/prometheus.yml', 'promtool test rules dashboards/rules/tests/slo_test.yml'],
  },
  {
    doc: ['node dashboards/generate.mjs'],
    copy: ['dashboards'],
    why: 'run in a copy of dashboards/, so the committed files are compared, not overwritten',
    check: (r) => {
      for (const f of ['launch-overview.json', 'capacity.json']) {
        expect(readFileSync(join(r.cwd, 'dashboards', f), 'utf8'), `${f} is what generate.mjs writes`).toBe(readFileSync(join(ROOT, 'dashboards', f), 'utf8'));
      }
    },
  },
];


import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MetricsService } from './metrics.service';

const DEPLOY = join(__dirname, '..', '..', '..', 'deploy');

/** The bff_* series names a PromQL text uses, histogram suffixes taken off. */
function bffMetricsIn(text: string): string[] {
  const names = text.match(/\bbff_[a-z_]+/g) ?? [];
  return [...new Set(names.map((n) => n.replace(/_(bucket|count|sum)$/, '')))];
}

describe('deploy/ (dashboard and alert rules)', () => {
  let declared: Set<string>;

  beforeAll(async () => {
    const sut = new MetricsService({ enabled: true, host: '127.0.0.1', port: 0 });
    declared = new Set((await sut.registry.getMetricsAsJSON()).map((m) => m.name));
  });

  it.each([['prometheus/alerts.yml'], ['grafana/dashboards/keycloak-bff.json']])(
    'should use only metrics the BFF declares in %s',
    (file) => {
      const used = bffMetricsIn(readFileSync(join(DEPLOY, file), 'utf8'));

      expect(used.length).toBeGreaterThan(3);
      expect(used.filter((name) => !declared.has(name))).toEqual([]);
    },
  );

  it('should give every dashboard panel a unique id and at least one query', () => {
    const dashboard = JSON.parse(
      readFileSync(join(DEPLOY, 'grafana/dashboards/keycloak-bff.json'), 'utf8'),
    ) as { panels: { id: number; targets: { expr: string }[] }[] };
    const ids = dashboard.panels.map((p) => p.id);

    expect(new Set(ids).size).toBe(ids.length);
    expect(dashboard.panels.filter((p) => p.targets.length === 0)).toEqual([]);
  });
});

import { useEffect, useMemo, useState } from 'react';
import { Body1, Card, CardHeader, Subtitle2, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, makeStyles } from '@fluentui/react-components';
import { graph, literal, message, query, type GraphCollection } from '../api';
import { SliceChart, type Slice } from '../charts';
import { ErrorBar, Loading, Page, formatDate, useGraph } from '../components';
import { platforms } from './Devices';

const useStyles = makeStyles({
  grid: { display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(360px, 1fr))', gap: '16px' },
});

interface StateSummary {
  compliantDeviceCount: number;
  nonCompliantDeviceCount: number;
  inGracePeriodCount?: number;
  unknownDeviceCount: number;
  notApplicableDeviceCount: number;
  errorDeviceCount: number;
  conflictDeviceCount: number;
  remediatedDeviceCount: number;
}

interface AuditEvent {
  id: string;
  displayName: string;
  activityDateTime: string;
  category: string;
  activityResult: string;
  actor?: { userPrincipalName?: string; applicationDisplayName?: string };
}

export function HomePage() {
  const styles = useStyles();
  // One request for the tenant summary feeds both the donut and the trend tile.
  const summary = useGraph<StateSummary>('/deviceManagement/deviceCompliancePolicyDeviceStateSummary');
  return (
    <Page title="Home">
      <div className={styles.grid}>
        <DevicesByPlatform />
        <ComplianceDonut summary={summary} />
        <NoncompliantTrend summary={summary} />
        <DeploymentStatus />
        <RecentAudit />
      </div>
    </Page>
  );
}

function Tile({ title, children, wide }: { title: string; children: React.ReactNode; wide?: boolean }) {
  const id = `tile-${title.replaceAll(' ', '-').toLowerCase()}`;
  return (
    <Card role="region" aria-labelledby={id} style={wide ? { gridColumn: 'span 2' } : undefined}>
      <CardHeader header={<Subtitle2 as="h2" id={id}>{title}</Subtitle2>} />
      {children}
    </Card>
  );
}

const platformColors = ['#0078d4', '#8764b8', '#00b7c3', '#498205', '#ca5010'];

/** One `$count` per platform: the API has no group-by, and counting never loads the devices themselves. */
function DevicesByPlatform() {
  const [slices, setSlices] = useState<Slice[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    Promise.all(platforms.map((p) => graph<string>(query('/deviceManagement/managedDevices/$count', { $filter: `operatingSystem eq ${literal(p)}` }))))
      .then((counts) => setSlices(platforms.map((p, i) => ({ label: p, value: Number(counts[i]), color: platformColors[i] }))))
      .catch((e) => setError(message(e)));
  }, []);
  return (
    <Tile title="Devices by platform">
      <ErrorBar error={error} />
      {slices ? <SliceChart type="bar" slices={slices} label="Devices by platform" /> : !error && <Loading />}
    </Tile>
  );
}

type Summary = ReturnType<typeof useGraph<StateSummary>>;

function ComplianceDonut({ summary: { data, error } }: { summary: Summary }) {
  const slices = useMemo<Slice[] | null>(
    () =>
      data
        ? [
            { label: 'Compliant', value: data.compliantDeviceCount, color: '#107c10' },
            { label: 'Noncompliant', value: data.nonCompliantDeviceCount, color: '#d13438' },
            { label: 'In grace period', value: data.inGracePeriodCount ?? 0, color: '#ffaa44' },
            { label: 'Not evaluated', value: data.unknownDeviceCount, color: '#8a8886' },
          ]
        : null,
    [data],
  );
  return (
    <Tile title="Device compliance">
      <ErrorBar error={error} />
      {slices ? <SliceChart type="doughnut" slices={slices} label="Device compliance" /> : !error && <Loading />}
    </Tile>
  );
}

function NoncompliantTrend({ summary: { data, error } }: { summary: Summary }) {
  return (
    <Tile title="Noncompliant devices trend">
      <ErrorBar error={error} />
      <Body1>
        Noncompliant now: <strong>{data ? data.nonCompliantDeviceCount : '…'}</strong>.
      </Body1>
      <Body1>
        No trend yet: the API keeps only the current counts. A trend needs a dated history of the tenant summary (a daily snapshot
        of <code>deviceCompliancePolicyDeviceStateSummary</code> served as a report), which the service does not record.
      </Body1>
    </Tile>
  );
}

function DeploymentStatus() {
  const { data, error } = useGraph<StateSummary>('/deviceManagement/deviceConfigurationDeviceStateSummaries');
  const slices = useMemo<Slice[] | null>(
    () =>
      data
        ? [
            { label: 'Succeeded', value: data.compliantDeviceCount, color: '#107c10' },
            { label: 'Error', value: data.errorDeviceCount + data.nonCompliantDeviceCount, color: '#d13438' },
            { label: 'Conflict', value: data.conflictDeviceCount, color: '#ffaa44' },
            { label: 'Not applicable', value: data.notApplicableDeviceCount, color: '#8a8886' },
          ]
        : null,
    [data],
  );
  return (
    <Tile title="Configuration profile deployment status">
      <ErrorBar error={error} />
      {slices ? <SliceChart type="bar" slices={slices} label="Configuration profile deployment status" /> : !error && <Loading />}
    </Tile>
  );
}

function RecentAudit() {
  const { data, error, loading } = useGraph<GraphCollection<AuditEvent>>('/deviceManagement/auditEvents?$top=5');
  return (
    <Tile title="Recent audit events" wide>
      <ErrorBar error={error} />
      {loading && <Loading />}
      {data && (
        <Table size="small" aria-label="Recent audit events">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Activity</TableHeaderCell>
              <TableHeaderCell>Category</TableHeaderCell>
              <TableHeaderCell>By</TableHeaderCell>
              <TableHeaderCell>When</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {data.value.map((e) => (
              <TableRow key={e.id}>
                <TableCell>{e.displayName}</TableCell>
                <TableCell>{e.category}</TableCell>
                <TableCell>{e.actor?.userPrincipalName ?? e.actor?.applicationDisplayName ?? '—'}</TableCell>
                <TableCell>{formatDate(e.activityDateTime)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Tile>
  );
}

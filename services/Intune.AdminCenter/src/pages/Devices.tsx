import { useMemo, useState } from 'react';
import {
  Badge,
  Button,
  Card,
  Checkbox,
  Dropdown,
  Field,
  Input,
  Menu,
  MenuItemCheckbox,
  MenuList,
  MenuPopover,
  MenuTrigger,
  Option,
  Subtitle2,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
} from '@fluentui/react-components';
import { literal, post, query, type GraphCollection } from '../api';
import { ConfirmAction, ErrorBar, Facts, Loading, Page, PagedTable, SuccessBar, Toolbar, formatDate, useGraph, type Column, type Sort } from '../components';
import { navigate } from '../router';
import { Permissions, useCan } from '../session';

export const platforms = ['Windows', 'iOS', 'iPadOS', 'macOS', 'Android'];
const complianceStates = ['compliant', 'noncompliant', 'inGracePeriod', 'unknown', 'conflict', 'error'];
const syncWindows: [string, string, number | null][] = [
  ['any', 'Any time', null],
  ['1', 'Within 24 hours', 1],
  ['7', 'Within 7 days', 7],
  ['30', 'Within 30 days', 30],
  ['older30', 'Not in 30 days', -30],
];

export interface ManagedDevice {
  id: string;
  deviceName: string;
  operatingSystem: string;
  osVersion: string;
  complianceState: string;
  managedDeviceOwnerType: string;
  managementState: string;
  lastSyncDateTime: string;
  enrolledDateTime: string;
  userPrincipalName: string | null;
  model: string | null;
  manufacturer: string | null;
  serialNumber: string | null;
  imei: string | null;
  wiFiMacAddress: string | null;
  isEncrypted: boolean;
  jailBroken: string;
  totalStorageSpaceInBytes: number;
  freeStorageSpaceInBytes: number;
  complianceGracePeriodExpirationDateTime: string;
  deviceActionResults: { actionName: string; actionState: string; startDateTime: string; lastUpdatedDateTime: string }[];
}

// Device states are camelCase (noncompliant), policy statuses Graph's complianceStatus (nonCompliant).
function stateColor(state: string): 'success' | 'danger' | 'warning' | 'informative' {
  switch (state.toLowerCase()) {
    case 'compliant':
      return 'success';
    case 'noncompliant':
    case 'error':
      return 'danger';
    case 'ingraceperiod':
    case 'conflict':
      return 'warning';
    default:
      return 'informative';
  }
}

export const ComplianceBadge = ({ state }: { state: string }) => (
  <Badge appearance="tint" color={stateColor(state)}>
    {state}
  </Badge>
);

const allColumns: (Column<ManagedDevice> & { select: string })[] = [
  { key: 'deviceName', label: 'Device name', select: 'deviceName', sort: 'deviceName', render: (d) => d.deviceName || d.id },
  { key: 'complianceState', label: 'Compliance', select: 'complianceState', render: (d) => <ComplianceBadge state={d.complianceState} /> },
  { key: 'operatingSystem', label: 'OS', select: 'operatingSystem', render: (d) => d.operatingSystem },
  { key: 'osVersion', label: 'OS version', select: 'osVersion', render: (d) => d.osVersion },
  { key: 'userPrincipalName', label: 'Primary user UPN', select: 'userPrincipalName', render: (d) => d.userPrincipalName ?? '—' },
  { key: 'managedDeviceOwnerType', label: 'Ownership', select: 'managedDeviceOwnerType', render: (d) => d.managedDeviceOwnerType },
  { key: 'lastSyncDateTime', label: 'Last check-in', select: 'lastSyncDateTime', sort: 'lastSyncDateTime', render: (d) => formatDate(d.lastSyncDateTime) },
  { key: 'managementState', label: 'Management state', select: 'managementState', render: (d) => d.managementState },
  { key: 'serialNumber', label: 'Serial number', select: 'serialNumber', render: (d) => d.serialNumber ?? '—' },
  { key: 'model', label: 'Model', select: 'model', render: (d) => d.model ?? '—' },
];
const defaultColumns = ['deviceName', 'complianceState', 'operatingSystem', 'osVersion', 'userPrincipalName', 'lastSyncDateTime'];

/** The list's $filter from the page's controls (only properties the API can filter on). */
export function deviceFilter(search: string, platform: string, compliance: string, sync: string, now = Date.now()): string {
  const clauses: string[] = [];
  if (search.trim()) {
    const text = literal(search.trim());
    clauses.push(`(startswith(deviceName,${text}) or startswith(userPrincipalName,${text}) or startswith(serialNumber,${text}))`);
  }
  if (platform !== 'all') clauses.push(`operatingSystem eq ${literal(platform)}`);
  if (compliance !== 'all') clauses.push(`complianceState eq ${literal(compliance)}`);
  const days = syncWindows.find(([k]) => k === sync)?.[2];
  if (days) {
    const at = new Date(now - Math.abs(days) * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');
    clauses.push(`lastSyncDateTime ${days > 0 ? 'ge' : 'lt'} ${at}`);
  }
  return clauses.join(' and ');
}

export function DevicesPage() {
  const [search, setSearch] = useState('');
  const [applied, setApplied] = useState('');
  const [platform, setPlatform] = useState('all');
  const [compliance, setCompliance] = useState('all');
  const [sync, setSync] = useState('any');
  const [sort, setSort] = useState<Sort>(null);
  const [shown, setShown] = useState<string[]>(defaultColumns);

  const columns = allColumns.filter((c) => shown.includes(c.key));
  // The filter's time is fixed when the controls change, so paging keeps one consistent window.
  const filter = useMemo(() => deviceFilter(applied, platform, compliance, sync), [applied, platform, compliance, sync]);
  const url = query('/deviceManagement/managedDevices', {
    $filter: filter,
    $select: ['id', ...columns.map((c) => c.select)].join(','),
    $orderby: sort ? `${sort.property}${sort.descending ? ' desc' : ''}` : undefined,
    $top: 25,
    $count: true,
  });

  return (
    <Page title="Devices">
      <Toolbar>
        <form
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            setApplied(search);
          }}
          style={{ display: 'flex', gap: 8, alignItems: 'end' }}
        >
          <Field label="Search by name, user or serial (starts with)">
            <Input value={search} onChange={(_, d) => setSearch(d.value)} name="search" />
          </Field>
          <Button type="submit">Search</Button>
        </form>
        <Field label="Platform">
          <Dropdown value={platform === 'all' ? 'All' : platform} selectedOptions={[platform]} onOptionSelect={(_, d) => setPlatform(d.optionValue!)}>
            <Option value="all">All</Option>
            {platforms.map((p) => (
              <Option key={p} value={p}>
                {p}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Field label="Compliance">
          <Dropdown value={compliance === 'all' ? 'All' : compliance} selectedOptions={[compliance]} onOptionSelect={(_, d) => setCompliance(d.optionValue!)}>
            <Option value="all">All</Option>
            {complianceStates.map((s) => (
              <Option key={s} value={s}>
                {s}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Field label="Last check-in">
          <Dropdown value={syncWindows.find(([k]) => k === sync)![1]} selectedOptions={[sync]} onOptionSelect={(_, d) => setSync(d.optionValue!)}>
            {syncWindows.map(([k, label]) => (
              <Option key={k} value={k}>
                {label}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Field label="Ownership" hint="The API cannot filter on ownership yet; show the column instead.">
          <Dropdown disabled value="All" placeholder="All">
            <Option value="all">All</Option>
          </Dropdown>
        </Field>
        <Menu
          checkedValues={{ columns: shown }}
          onCheckedValueChange={(_, d) => d.checkedItems.length > 0 && setShown(allColumns.map((c) => c.key).filter((k) => d.checkedItems.includes(k)))}
        >
          <MenuTrigger disableButtonEnhancement>
            <Button>Columns</Button>
          </MenuTrigger>
          <MenuPopover>
            <MenuList>
              {allColumns.map((c) => (
                <MenuItemCheckbox key={c.key} name="columns" value={c.key}>
                  {c.label}
                </MenuItemCheckbox>
              ))}
            </MenuList>
          </MenuPopover>
        </Menu>
      </Toolbar>
      <PagedTable<ManagedDevice>
        url={url}
        label="Devices"
        columns={columns}
        sort={sort}
        onSort={setSort}
        onRow={(d) => navigate(`/devices/${d.id}`)}
        rowLabel={(d) => d.deviceName || d.id}
        countLabel="devices"
      />
      <p>Bulk sync and retire wait for a bulk action in the API (Graph's is beta only); use a device's own actions.</p>
    </Page>
  );
}

interface PolicyState {
  id: string;
  displayName: string;
  state: string;
  platformType: string;
  settingStates: { setting: string; state: string; currentValue: string | null; errorDescription: string | null }[];
}

export function DeviceDetailPage({ id }: { id: string }) {
  const device = useGraph<ManagedDevice>(`/deviceManagement/managedDevices/${encodeURIComponent(id)}`);
  const compliance = useGraph<GraphCollection<PolicyState>>(`/deviceManagement/managedDevices/${encodeURIComponent(id)}/deviceCompliancePolicyStates`);
  const configuration = useGraph<GraphCollection<PolicyState>>(`/deviceManagement/managedDevices/${encodeURIComponent(id)}/deviceConfigurationStates`);
  const d = device.data;
  return (
    <Page title={d ? d.deviceName || d.id : 'Device'} actions={d && <DeviceActions device={d} onDone={device.reload} />}>
      <ErrorBar error={device.error} />
      {device.loading && !d && <Loading />}
      {d && (
        <>
          <Card>
            <Subtitle2 as="h2">Overview</Subtitle2>
            <Facts
              items={[
                ['Compliance', <ComplianceBadge state={d.complianceState} />],
                ['Grace period ends', formatDate(d.complianceGracePeriodExpirationDateTime)],
                ['Management state', d.managementState],
                ['Ownership', d.managedDeviceOwnerType],
                ['Primary user', d.userPrincipalName],
                ['Enrolled', formatDate(d.enrolledDateTime)],
                ['Last check-in', formatDate(d.lastSyncDateTime)],
              ]}
            />
          </Card>
          <Card>
            <Subtitle2 as="h2">Hardware</Subtitle2>
            <Facts
              items={[
                ['Operating system', `${d.operatingSystem} ${d.osVersion ?? ''}`],
                ['Manufacturer', d.manufacturer],
                ['Model', d.model],
                ['Serial number', d.serialNumber],
                ['IMEI', d.imei],
                ['Wi-Fi MAC', d.wiFiMacAddress],
                ['Encrypted', d.isEncrypted ? 'Yes' : 'No'],
                ['Jailbroken', d.jailBroken],
                ['Storage', d.totalStorageSpaceInBytes ? `${(d.freeStorageSpaceInBytes / 2 ** 30).toFixed(1)} GB free of ${(d.totalStorageSpaceInBytes / 2 ** 30).toFixed(1)} GB` : '—'],
              ]}
            />
          </Card>
          <Card>
            <Subtitle2 as="h2">Device action results</Subtitle2>
            {d.deviceActionResults.length === 0 ? (
              <p>No remote actions yet.</p>
            ) : (
              <Table size="small" aria-label="Device action results">
                <TableHeader>
                  <TableRow>
                    <TableHeaderCell>Action</TableHeaderCell>
                    <TableHeaderCell>State</TableHeaderCell>
                    <TableHeaderCell>Started</TableHeaderCell>
                    <TableHeaderCell>Last updated</TableHeaderCell>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {d.deviceActionResults.map((a) => (
                    <TableRow key={`${a.actionName}-${a.startDateTime}`} data-action={a.actionName}>
                      <TableCell>{a.actionName}</TableCell>
                      <TableCell data-action-state>{a.actionState}</TableCell>
                      <TableCell>{formatDate(a.startDateTime)}</TableCell>
                      <TableCell>{formatDate(a.lastUpdatedDateTime)}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            )}
            <div>
              <Button onClick={device.reload}>Refresh</Button>
            </div>
          </Card>
          <PolicyStates title="Device compliance" states={compliance} />
          <PolicyStates title="Device configuration" states={configuration} />
          <p>Apps on the device appear here once the apps API exists.</p>
        </>
      )}
    </Page>
  );
}

function PolicyStates({ title, states }: { title: string; states: ReturnType<typeof useGraph<GraphCollection<PolicyState>>> }) {
  return (
    <Card>
      <Subtitle2 as="h2">{title}</Subtitle2>
      <ErrorBar error={states.error} />
      {states.loading && <Loading />}
      {states.data?.value.length === 0 && <p>No policies of this kind apply.</p>}
      {states.data?.value.map((p) => (
        <div key={p.id}>
          <p>
            <strong>{p.displayName}</strong> ({p.platformType}): <ComplianceBadge state={p.state} />
          </p>
          {p.settingStates.length > 0 && (
            <Table size="small" aria-label={`${p.displayName} settings`}>
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>Setting</TableHeaderCell>
                  <TableHeaderCell>State</TableHeaderCell>
                  <TableHeaderCell>Device value</TableHeaderCell>
                  <TableHeaderCell>Detail</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {p.settingStates.map((s) => (
                  <TableRow key={s.setting}>
                    <TableCell>{s.setting}</TableCell>
                    <TableCell>
                      <ComplianceBadge state={s.state} />
                    </TableCell>
                    <TableCell>{s.currentValue ?? '—'}</TableCell>
                    <TableCell>{s.errorDescription ?? '—'}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </div>
      ))}
    </Card>
  );
}

function DeviceActions({ device, onDone }: { device: ManagedDevice; onDone: () => void }) {
  const can = useCan();
  const [done, setDone] = useState<string | null>(null);
  const [keepEnrollmentData, setKeepEnrollmentData] = useState(false);
  const [keepUserData, setKeepUserData] = useState(false);
  const name = device.deviceName || device.id;
  const run = (action: string, label: string, body?: unknown) => async () => {
    await post(`/deviceManagement/managedDevices/${encodeURIComponent(device.id)}/${action}`, body);
    setDone(`${label} sent to ${name}.`);
    onDone();
  };
  const simple: [string, string, string, string][] = [
    ['syncDevice', 'Sync', Permissions.sync, 'The device is asked to check in now.'],
    ['remoteLock', 'Remote lock', Permissions.remoteLock, 'The device locks its screen.'],
    ['rebootNow', 'Restart', Permissions.reboot, 'The device restarts; unsaved work on it is lost.'],
    ['resetPasscode', 'Reset passcode', Permissions.resetPasscode, 'The device passcode is removed or replaced.'],
    ['retire', 'Retire', Permissions.retire, 'Company data, apps and profiles are removed and the device leaves management at its next check-in.'],
  ];
  return (
    <div style={{ display: 'flex', flexWrap: 'wrap', gap: 8 }}>
      {simple
        .filter(([, , permission]) => can(permission))
        .map(([action, label, , text]) => (
          <ConfirmAction key={action} label={label} title={`${label} ${name}?`} onConfirm={run(action, label)}>
            <p>{text}</p>
          </ConfirmAction>
        ))}
      {can(Permissions.wipe) && (
        <ConfirmAction label="Wipe" title={`Wipe ${name}?`} confirmLabel="Wipe" onConfirm={run('wipe', 'Wipe', { keepEnrollmentData, keepUserData })}>
          <p>The device is reset to factory settings.</p>
          <Checkbox label="Retain enrollment state and user account" checked={keepEnrollmentData} onChange={(_, d) => setKeepEnrollmentData(!!d.checked)} />
          <Checkbox label="Keep user data" checked={keepUserData} onChange={(_, d) => setKeepUserData(!!d.checked)} />
        </ConfirmAction>
      )}
      <div style={{ flexBasis: '100%' }}>
        <SuccessBar text={done} />
      </div>
    </div>
  );
}

import { useEffect, useMemo, useState } from 'react';
import {
  Button,
  Card,
  Checkbox,
  Dropdown,
  Field,
  Input,
  Option,
  Subtitle2,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Textarea,
} from '@fluentui/react-components';
import { del, message, patch, post, type GraphCollection } from '../api';
import { ConfirmAction, ErrorBar, Facts, Loading, Page, PagedTable, SuccessBar, Toolbar, formatDate, useGraph } from '../components';
import { navigate } from '../router';
import { Permissions, useCan } from '../session';
import { ComplianceBadge } from './Devices';
import type { Group } from './Groups';

export type PolicyKind = 'compliance' | 'configuration';

export interface SettingSchema {
  name: string;
  type: 'boolean' | 'int32' | 'string' | 'enum' | 'json';
  nullable: boolean;
  enumValues: string[] | null;
}

export interface PolicySchema {
  odataType: string;
  kind: PolicyKind;
  platforms: string[];
  settings: SettingSchema[];
}

interface Policy {
  id: string;
  '@odata.type': string;
  displayName: string;
  description?: string;
  version: number;
  createdDateTime: string;
  lastModifiedDateTime: string;
  scheduledActionsForRule?: { ruleName: string; scheduledActionConfigurations: ScheduledAction[] }[];
  [setting: string]: unknown;
}

interface ScheduledAction {
  actionType: string;
  gracePeriodHours: number;
  notificationTemplateId?: string;
}

interface Overview {
  pendingCount: number;
  notApplicableCount: number;
  successCount: number;
  errorCount: number;
  failedCount: number;
  conflictCount?: number;
  lastUpdateDateTime: string;
}

export const collectionOf = (kind: PolicyKind) => (kind === 'compliance' ? 'deviceCompliancePolicies' : 'deviceConfigurations');
const routeOf = (kind: PolicyKind) => (kind === 'compliance' ? '/compliance-policies' : '/configuration-profiles');
const titleOf = (kind: PolicyKind) => (kind === 'compliance' ? 'Compliance policies' : 'Configuration profiles');
const typeName = (odataType: string) => odataType.replace('#microsoft.graph.', '');
const permissionsOf = (kind: PolicyKind) =>
  kind === 'compliance'
    ? { create: Permissions.complianceCreate, update: Permissions.complianceUpdate, remove: Permissions.complianceDelete, assign: Permissions.complianceAssign }
    : { create: Permissions.configurationCreate, update: Permissions.configurationUpdate, remove: Permissions.configurationDelete, assign: Permissions.configurationAssign };

/** The per-platform setting lists, generated from the same schemas the service validates against. */
export function useSchemas() {
  const [schemas, setSchemas] = useState<PolicySchema[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    fetch('/admin-center/policy-schemas')
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`Policy schemas: ${r.status}`))))
      .then(setSchemas, (e) => setError(message(e)));
  }, []);
  return { schemas, error };
}

export function PoliciesPage({ kind }: { kind: PolicyKind }) {
  const can = useCan();
  return (
    <Page
      title={titleOf(kind)}
      actions={
        can(permissionsOf(kind).create) && (
          <Button appearance="primary" onClick={() => navigate(`${routeOf(kind)}/new`)}>
            Create policy
          </Button>
        )
      }
    >
      <PagedTable<Policy>
        url={`/deviceManagement/${collectionOf(kind)}`}
        label={titleOf(kind)}
        onRow={(p) => navigate(`${routeOf(kind)}/${p.id}`)}
        rowLabel={(p) => p.displayName}
        columns={[
          { key: 'displayName', label: 'Name', render: (p) => p.displayName },
          { key: 'type', label: 'Type', render: (p) => typeName(p['@odata.type']) },
          { key: 'version', label: 'Version', render: (p) => p.version },
          { key: 'modified', label: 'Last modified', render: (p) => formatDate(p.lastModifiedDateTime) },
        ]}
      />
    </Page>
  );
}

export function PolicyDetailPage({ kind, id }: { kind: PolicyKind; id: string }) {
  const can = useCan();
  const permissions = permissionsOf(kind);
  const base = `/deviceManagement/${collectionOf(kind)}/${encodeURIComponent(id)}`;
  const policy = useGraph<Policy>(kind === 'compliance' ? `${base}?$expand=scheduledActionsForRule` : base);
  const devices = useGraph<Overview>(`${base}/deviceStatusOverview`);
  const users = useGraph<Overview>(`${base}/userStatusOverview`);
  const p = policy.data;
  const [error, setError] = useState<string | null>(null);
  // The status tables are remounted (first page again) so they show the same moment as the overviews.
  const [statusVersion, setStatusVersion] = useState(0);
  const reloadStatus = () => {
    devices.reload();
    users.reload();
    setStatusVersion((v) => v + 1);
  };

  return (
    <Page
      title={p?.displayName ?? 'Policy'}
      actions={
        p && (
          <Toolbar>
            {can(permissions.update) && <Button onClick={() => navigate(`${routeOf(kind)}/${id}/edit`)}>Edit</Button>}
            {can(permissions.remove) && (
              <ConfirmAction
                label="Delete"
                title={`Delete ${p.displayName}?`}
                onConfirm={async () => {
                  await del(base);
                  navigate(routeOf(kind));
                }}
              >
                <p>Devices stop receiving this policy at their next check-in.</p>
              </ConfirmAction>
            )}
            <Button onClick={reloadStatus}>Refresh status</Button>
          </Toolbar>
        )
      }
    >
      <ErrorBar error={policy.error ?? error} />
      {policy.loading && !p && <Loading />}
      {p && (
        <>
          <Card>
            <Facts
              items={[
                ['Type', typeName(p['@odata.type'])],
                ['Description', p.description || '—'],
                ['Version', p.version],
                ['Last modified', formatDate(p.lastModifiedDateTime)],
              ]}
            />
          </Card>
          <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(320px, 1fr))', gap: 16 }}>
            <OverviewCard title="Device status" overview={devices} kind={kind} />
            <OverviewCard title="User status" overview={users} kind={kind} />
          </div>
          {kind === 'compliance' && <ActionsForNoncompliance policy={p} />}
          <Assignments kind={kind} id={id} canAssign={can(permissions.assign)} onAssigned={reloadStatus} onError={setError} />
          <Card>
            <Subtitle2 as="h2">Device statuses</Subtitle2>
            <PagedTable<{ id: string; deviceDisplayName: string; userPrincipalName: string; status: string; lastReportedDateTime: string; complianceGracePeriodExpirationDateTime: string }>
              key={`devices-${statusVersion}`}
              url={`${base}/deviceStatuses`}
              label="Device statuses"
              columns={[
                { key: 'device', label: 'Device', render: (r) => r.deviceDisplayName },
                { key: 'user', label: 'User', render: (r) => r.userPrincipalName ?? '—' },
                { key: 'status', label: 'Status', render: (r) => <ComplianceBadge state={r.status} /> },
                { key: 'grace', label: 'Grace period ends', render: (r) => formatDate(r.complianceGracePeriodExpirationDateTime) },
                { key: 'reported', label: 'Last reported', render: (r) => formatDate(r.lastReportedDateTime) },
              ]}
            />
          </Card>
          <Card>
            <Subtitle2 as="h2">User statuses</Subtitle2>
            <PagedTable<{ id: string; userPrincipalName: string; devicesCount: number; status: string; lastReportedDateTime: string }>
              key={`users-${statusVersion}`}
              url={`${base}/userStatuses`}
              label="User statuses"
              columns={[
                { key: 'user', label: 'User', render: (r) => r.userPrincipalName },
                { key: 'devices', label: 'Devices', render: (r) => r.devicesCount },
                { key: 'status', label: 'Status', render: (r) => <ComplianceBadge state={r.status} /> },
                { key: 'reported', label: 'Last reported', render: (r) => formatDate(r.lastReportedDateTime) },
              ]}
            />
          </Card>
        </>
      )}
    </Page>
  );
}

function OverviewCard({ title, overview, kind }: { title: string; overview: ReturnType<typeof useGraph<Overview>>; kind: PolicyKind }) {
  const o = overview.data;
  const slug = title.toLowerCase().replace(' ', '-');
  return (
    <Card role="region" aria-label={title} data-testid={slug}>
      <Subtitle2 as="h2">{title}</Subtitle2>
      <ErrorBar error={overview.error} />
      {o ? (
        <Facts
          items={[
            [kind === 'compliance' ? 'Compliant' : 'Succeeded', <span data-count="success">{o.successCount}</span>],
            [kind === 'compliance' ? 'Noncompliant' : 'Failed', <span data-count="failed">{o.failedCount}</span>],
            ['Error', <span data-count="error">{o.errorCount}</span>],
            ...(o.conflictCount !== undefined ? [['Conflict', o.conflictCount] as [string, number]] : []),
            ['Not applicable', o.notApplicableCount],
            ['Pending', <span data-count="pending">{o.pendingCount}</span>],
            ['Last update', formatDate(o.lastUpdateDateTime)],
          ]}
        />
      ) : (
        !overview.error && <Loading />
      )}
    </Card>
  );
}

function ActionsForNoncompliance({ policy }: { policy: Policy }) {
  const actions = policy.scheduledActionsForRule?.flatMap((r) => r.scheduledActionConfigurations) ?? [];
  return (
    <Card>
      <Subtitle2 as="h2">Actions for noncompliance</Subtitle2>
      <Table size="small" aria-label="Actions for noncompliance">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Action</TableHeaderCell>
            <TableHeaderCell>Schedule (hours after noncompliance)</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {actions.map((a, i) => (
            <TableRow key={i}>
              <TableCell>{a.actionType === 'block' ? 'Mark device noncompliant' : a.actionType}</TableCell>
              <TableCell>{a.gracePeriodHours}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Card>
  );
}

interface Assignment {
  id: string;
  target: { '@odata.type': string; groupId?: string };
}

function Assignments({ kind, id, canAssign, onAssigned, onError }: { kind: PolicyKind; id: string; canAssign: boolean; onAssigned: () => void; onError: (e: string | null) => void }) {
  const base = `/deviceManagement/${collectionOf(kind)}/${encodeURIComponent(id)}`;
  const current = useGraph<GraphCollection<Assignment>>(`${base}/assignments`);
  const groups = useGraph<GraphCollection<Group>>('/groups');
  const [include, setInclude] = useState<string[]>([]);
  const [exclude, setExclude] = useState<string[]>([]);
  const [allDevices, setAllDevices] = useState(false);
  const [allUsers, setAllUsers] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const targets = current.data?.value.map((a) => a.target) ?? [];
    setInclude(targets.filter((t) => t['@odata.type'].endsWith('.groupAssignmentTarget')).map((t) => t.groupId!));
    setExclude(targets.filter((t) => t['@odata.type'].endsWith('exclusionGroupAssignmentTarget')).map((t) => t.groupId!));
    setAllDevices(targets.some((t) => t['@odata.type'].endsWith('allDevicesAssignmentTarget')));
    setAllUsers(targets.some((t) => t['@odata.type'].endsWith('allLicensedUsersAssignmentTarget')));
  }, [current.data]);

  const name = (groupId: string) => groups.data?.value.find((g) => g.id === groupId)?.displayName ?? groupId;
  const save = async () => {
    setBusy(true);
    onError(null);
    setSaved(null);
    try {
      // assign replaces the whole list, so the form always sends every target it shows.
      const assignments = [
        ...include.map((groupId) => ({ target: { '@odata.type': '#microsoft.graph.groupAssignmentTarget', groupId } })),
        ...exclude.map((groupId) => ({ target: { '@odata.type': '#microsoft.graph.exclusionGroupAssignmentTarget', groupId } })),
        ...(allDevices ? [{ target: { '@odata.type': '#microsoft.graph.allDevicesAssignmentTarget' } }] : []),
        ...(allUsers ? [{ target: { '@odata.type': '#microsoft.graph.allLicensedUsersAssignmentTarget' } }] : []),
      ];
      await post(`${base}/assign`, { assignments });
      setSaved(`Assigned to ${assignments.length} target${assignments.length === 1 ? '' : 's'}.`);
      current.reload();
      onAssigned();
    } catch (e) {
      onError(message(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card>
      <Subtitle2 as="h2">Assignments</Subtitle2>
      <ErrorBar error={current.error ?? groups.error} />
      {current.loading && <Loading />}
      {!canAssign ? (
        <ul aria-label="Assigned targets">
          {current.data?.value.map((a) => (
            <li key={a.id}>
              {typeName(a.target['@odata.type'])}
              {a.target.groupId ? `: ${name(a.target.groupId)}` : ''}
            </li>
          ))}
          {current.data?.value.length === 0 && <li>Not assigned.</li>}
        </ul>
      ) : (
        <div style={{ display: 'flex', flexWrap: 'wrap', gap: 16, alignItems: 'end' }}>
          <GroupPicker label="Included groups" groups={groups.data?.value ?? []} selected={include} onChange={setInclude} />
          <GroupPicker label="Excluded groups" groups={groups.data?.value ?? []} selected={exclude} onChange={setExclude} />
          <Switch label="All devices" checked={allDevices} onChange={(_, d) => setAllDevices(d.checked)} />
          <Switch label="All users" checked={allUsers} onChange={(_, d) => setAllUsers(d.checked)} />
          <Button appearance="primary" onClick={save} disabled={busy}>
            {busy ? 'Saving…' : 'Save assignments'}
          </Button>
        </div>
      )}
      <SuccessBar text={saved} />
    </Card>
  );
}

function GroupPicker({ label, groups, selected, onChange }: { label: string; groups: Group[]; selected: string[]; onChange: (ids: string[]) => void }) {
  return (
    <Field label={label}>
      <Dropdown
        multiselect
        placeholder="No groups"
        value={groups.filter((g) => selected.includes(g.id)).map((g) => g.displayName).join(', ')}
        selectedOptions={selected}
        onOptionSelect={(_, d) => onChange(d.selectedOptions)}
      >
        {groups.map((g) => (
          <Option key={g.id} value={g.id}>
            {g.displayName}
          </Option>
        ))}
      </Dropdown>
    </Field>
  );
}

type Values = Record<string, string | boolean>;

const fromSetting = (s: SettingSchema, value: unknown): string | boolean =>
  s.type === 'boolean' ? value === true : value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);

function toSetting(s: SettingSchema, value: string | boolean): unknown {
  if (s.type === 'boolean') return value === true;
  const text = String(value).trim();
  if (text === '') return null;
  if (s.type === 'int32') {
    const n = Number(text);
    if (!Number.isInteger(n)) throw new Error(`${s.name} must be a whole number.`);
    return n;
  }
  if (s.type === 'json') {
    try {
      return JSON.parse(text);
    } catch {
      throw new Error(`${s.name} must be JSON.`);
    }
  }
  return text;
}

const settingLabel = (name: string) => name.replace(/([A-Z])/g, ' $1').replace(/^./, (c) => c.toUpperCase());

export function PolicyEditPage({ kind, id }: { kind: PolicyKind; id?: string }) {
  const { schemas, error: schemaError } = useSchemas();
  const base = `/deviceManagement/${collectionOf(kind)}`;
  const existing = useGraph<Policy>(id ? `${base}/${encodeURIComponent(id)}${kind === 'compliance' ? '?$expand=scheduledActionsForRule' : ''}` : null);
  const ofKind = useMemo(() => schemas?.filter((s) => s.kind === kind) ?? [], [schemas, kind]);
  const [odataType, setODataType] = useState<string>('');
  const [displayName, setDisplayName] = useState('');
  const [description, setDescription] = useState('');
  const [values, setValues] = useState<Values>({});
  const [graceHours, setGraceHours] = useState('0');
  const [notifyHours, setNotifyHours] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const schema = ofKind.find((s) => s.odataType === odataType);
  useEffect(() => {
    const p = existing.data;
    if (!p || !schemas) return;
    const type = typeName(p['@odata.type']);
    const s = schemas.find((x) => x.odataType === type);
    setODataType(type);
    setDisplayName(p.displayName);
    setDescription(p.description ?? '');
    setValues(Object.fromEntries((s?.settings ?? []).map((x) => [x.name, fromSetting(x, p[x.name])])));
    const actions = p.scheduledActionsForRule?.flatMap((r) => r.scheduledActionConfigurations) ?? [];
    setGraceHours(String(actions.find((a) => a.actionType === 'block')?.gracePeriodHours ?? 0));
    const notify = actions.find((a) => a.actionType === 'notification');
    setNotifyHours(notify ? String(notify.gracePeriodHours) : '');
  }, [existing.data, schemas]);

  const scheduledActions = (): ScheduledAction[] => {
    const hours = (text: string, what: string) => {
      const n = Number(text);
      if (!Number.isInteger(n) || n < 0 || n > 8760) throw new Error(`${what} must be a whole number of hours from 0 to 8760.`);
      return n;
    };
    return [
      { actionType: 'block', gracePeriodHours: hours(graceHours, 'The grace period'), notificationTemplateId: '' },
      ...(notifyHours.trim() ? [{ actionType: 'notification', gracePeriodHours: hours(notifyHours, 'The notification delay'), notificationTemplateId: '' }] : []),
    ];
  };

  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      if (!schema) throw new Error('Choose a platform and profile type.');
      const body: Record<string, unknown> = { '@odata.type': `#microsoft.graph.${schema.odataType}`, displayName, description };
      for (const s of schema.settings) {
        if (values[s.name] !== undefined) body[s.name] = toSetting(s, values[s.name]);
      }
      const rules = kind === 'compliance' ? [{ ruleName: 'PasswordRequired', scheduledActionConfigurations: scheduledActions() }] : null;
      if (id) {
        await patch(`${base}/${encodeURIComponent(id)}`, body);
        if (rules) await post(`${base}/${encodeURIComponent(id)}/scheduleActionsForRules`, { deviceComplianceScheduledActionForRules: rules });
        navigate(`${routeOf(kind)}/${id}`);
      } else {
        const created = await post<Policy>(base, rules ? { ...body, scheduledActionsForRule: rules } : body);
        navigate(`${routeOf(kind)}/${created.id}`);
      }
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page title={id ? `Edit ${existing.data?.displayName ?? 'policy'}` : kind === 'compliance' ? 'Create compliance policy' : 'Create configuration profile'}>
      <ErrorBar error={schemaError ?? existing.error} />
      {(!schemas || (id && !existing.data)) && !schemaError && !existing.error && <Loading />}
      {schemas && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            save();
          }}
          style={{ display: 'flex', flexDirection: 'column', gap: 12, maxWidth: 640 }}
        >
          <Field label="Platform and type" required>
            <Dropdown
              disabled={!!id}
              placeholder="Choose a type"
              value={schema ? `${schema.platforms.join(', ')}: ${schema.odataType}` : ''}
              selectedOptions={odataType ? [odataType] : []}
              onOptionSelect={(_, d) => {
                setODataType(d.optionValue!);
                setValues({});
              }}
            >
              {ofKind.map((s) => (
                <Option key={s.odataType} value={s.odataType} text={`${s.platforms.join(', ')}: ${s.odataType}`}>
                  {`${s.platforms.join(', ')}: ${s.odataType}`}
                </Option>
              ))}
            </Dropdown>
          </Field>
          <Field label="Name" required>
            <Input value={displayName} onChange={(_, d) => setDisplayName(d.value)} name="displayName" />
          </Field>
          <Field label="Description">
            <Textarea value={description} onChange={(_, d) => setDescription(d.value)} />
          </Field>
          {schema && (
            <fieldset style={{ display: 'flex', flexDirection: 'column', gap: 8, border: '1px solid #d1d1d1', padding: 12 }}>
              <legend>Settings</legend>
              {schema.settings.map((s) => (
                <SettingInput key={s.name} setting={s} value={values[s.name]} onChange={(v) => setValues((old) => ({ ...old, [s.name]: v }))} />
              ))}
            </fieldset>
          )}
          {kind === 'compliance' && (
            <fieldset style={{ display: 'flex', flexDirection: 'column', gap: 8, border: '1px solid #d1d1d1', padding: 12 }}>
              <legend>Actions for noncompliance</legend>
              <Field label="Mark device noncompliant after (hours, grace period)" required>
                <Input type="number" min={0} max={8760} value={graceHours} onChange={(_, d) => setGraceHours(d.value)} name="gracePeriodHours" />
              </Field>
              <Field label="Send email to end user after (hours; empty for none)">
                <Input type="number" min={0} max={8760} value={notifyHours} onChange={(_, d) => setNotifyHours(d.value)} name="notificationHours" />
              </Field>
            </fieldset>
          )}
          <ErrorBar error={error} />
          <div style={{ display: 'flex', gap: 8 }}>
            <Button appearance="primary" type="submit" disabled={busy}>
              {busy ? 'Saving…' : id ? 'Save' : 'Create'}
            </Button>
            <Button onClick={() => navigate(id ? `${routeOf(kind)}/${id}` : routeOf(kind))}>Cancel</Button>
          </div>
        </form>
      )}
    </Page>
  );
}

function SettingInput({ setting, value, onChange }: { setting: SettingSchema; value: string | boolean | undefined; onChange: (v: string | boolean) => void }) {
  const label = settingLabel(setting.name);
  switch (setting.type) {
    case 'boolean':
      return <Checkbox label={label} checked={value === true} onChange={(_, d) => onChange(!!d.checked)} name={setting.name} />;
    case 'enum':
      return (
        <Field label={label}>
          <Dropdown
            placeholder="Not configured"
            value={typeof value === 'string' ? value : ''}
            selectedOptions={typeof value === 'string' && value ? [value] : []}
            onOptionSelect={(_, d) => onChange(d.optionValue!)}
          >
            {setting.enumValues!.map((v) => (
              <Option key={v} value={v}>
                {v}
              </Option>
            ))}
          </Dropdown>
        </Field>
      );
    default:
      return (
        <Field label={label} hint={setting.type === 'json' ? 'JSON value' : setting.nullable ? 'Leave empty for not configured' : undefined}>
          <Input
            type={setting.type === 'int32' ? 'number' : 'text'}
            value={typeof value === 'string' ? value : ''}
            onChange={(_, d) => onChange(d.value)}
            name={setting.name}
          />
        </Field>
      );
  }
}

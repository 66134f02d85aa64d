import { useState } from 'react';
import { Card, Field, Input, Subtitle2 } from '@fluentui/react-components';
import { patch, post } from '../api';
import { ConfirmAction, Page, PagedTable } from '../components';
import { Permissions, useCan } from '../session';

interface PlatformRestriction {
  platformBlocked: boolean;
  personalDeviceEnrollmentBlocked: boolean;
  osMinimumVersion: string | null;
  osMaximumVersion: string | null;
}

interface EnrollmentConfiguration {
  id: string;
  '@odata.type': string;
  displayName: string;
  priority: number;
  limit?: number;
  iosRestriction?: PlatformRestriction;
  androidRestriction?: PlatformRestriction;
  windowsRestriction?: PlatformRestriction;
  macOSRestriction?: PlatformRestriction;
}

const restrictions: [keyof EnrollmentConfiguration, string][] = [
  ['windowsRestriction', 'Windows'],
  ['iosRestriction', 'iOS'],
  ['androidRestriction', 'Android'],
  ['macOSRestriction', 'macOS'],
];

const describe = (c: EnrollmentConfiguration) =>
  c.limit !== undefined
    ? `Device limit: ${c.limit}`
    : restrictions
        .map(([key, label]) => {
          const r = c[key] as PlatformRestriction | undefined;
          if (!r) return null;
          if (r.platformBlocked) return `${label}: blocked`;
          const parts = [r.personalDeviceEnrollmentBlocked ? 'personal blocked' : 'personal allowed'];
          if (r.osMinimumVersion) parts.push(`min ${r.osMinimumVersion}`);
          if (r.osMaximumVersion) parts.push(`max ${r.osMaximumVersion}`);
          return `${label}: ${parts.join(', ')}`;
        })
        .filter(Boolean)
        .join('; ');

export function EnrollmentPage() {
  const can = useCan();
  const [version, setVersion] = useState(0);
  const writable = can(Permissions.enrollmentWrite);
  return (
    <Page title="Enrollment">
      <Card>
        <Subtitle2 as="h2">Enrollment restrictions</Subtitle2>
        <PagedTable<EnrollmentConfiguration>
          key={version}
          url="/deviceManagement/deviceEnrollmentConfigurations"
          label="Enrollment restrictions"
          columns={[
            { key: 'priority', label: 'Priority', render: (c) => (c.priority === 0 ? 'Default' : c.priority) },
            { key: 'name', label: 'Name', render: (c) => c.displayName },
            { key: 'type', label: 'Type', render: (c) => (c.limit !== undefined ? 'Device limit' : 'Platform restrictions') },
            { key: 'settings', label: 'Settings', render: describe },
            ...(writable
              ? [{ key: 'edit', label: 'Actions', render: (c: EnrollmentConfiguration) => <EditConfiguration configuration={c} onSaved={() => setVersion((v) => v + 1)} /> }]
              : []),
          ]}
        />
      </Card>
      <Card>
        <Subtitle2 as="h2">Enrollment tokens</Subtitle2>
        <p>
          Enrollment tokens are issued and revoked through the admin gRPC API (the <code>EnrollmentTokens</code> service); the REST API
          has no enrollment-token resource yet (Graph v1.0 has none), so this page cannot list them. A local Run prints the local
          tenant's token in its banner.
        </p>
      </Card>
    </Page>
  );
}

function EditConfiguration({ configuration, onSaved }: { configuration: EnrollmentConfiguration; onSaved: () => void }) {
  const [limit, setLimit] = useState(String(configuration.limit ?? ''));
  const [priority, setPriority] = useState(String(configuration.priority));
  const isLimit = configuration.limit !== undefined;
  const isDefault = configuration.priority === 0;
  return (
    <ConfirmAction
      label="Edit"
      title={`Edit ${configuration.displayName}`}
      confirmLabel="Save"
      onConfirm={async () => {
        const base = `/deviceManagement/deviceEnrollmentConfigurations/${encodeURIComponent(configuration.id)}`;
        if (isLimit) await patch(base, { '@odata.type': configuration['@odata.type'], limit: Number(limit) });
        if (!isDefault && Number(priority) !== configuration.priority) await post(`${base}/setPriority`, { priority: Number(priority) });
        onSaved();
      }}
    >
      {isLimit && (
        <Field label="Device limit per user (1–15)">
          <Input type="number" min={1} max={15} value={limit} onChange={(_, d) => setLimit(d.value)} />
        </Field>
      )}
      {!isDefault && (
        <Field label="Priority">
          <Input type="number" min={1} value={priority} onChange={(_, d) => setPriority(d.value)} />
        </Field>
      )}
      {!isLimit && isDefault && <p>The default platform restrictions are edited with PATCH; only limits and priorities are editable here.</p>}
    </ConfirmAction>
  );
}

import { useState } from 'react';
import { Card, Dropdown, Field, Input, Option, Subtitle2 } from '@fluentui/react-components';
import { post, type GraphCollection } from '../api';
import { ConfirmAction, PagedTable, Page, useGraph } from '../components';
import { Permissions, useCan } from '../session';

interface RoleDefinition {
  id: string;
  displayName: string;
  description?: string;
  isBuiltIn: boolean;
  rolePermissions: { resourceActions: { allowedResourceActions: string[] }[] }[];
}

interface RoleAssignment {
  id: string;
  displayName: string;
  members: string[];
  resourceScopes: string[];
  'roleDefinition@odata.bind': string;
}

const allowed = (r: RoleDefinition) => r.rolePermissions.flatMap((p) => p.resourceActions.flatMap((a) => a.allowedResourceActions));

export function RolesPage() {
  const can = useCan();
  const [version, setVersion] = useState(0);
  const definitions = useGraph<GraphCollection<RoleDefinition>>('/deviceManagement/roleDefinitions');
  const nameOf = (bind: string) => definitions.data?.value.find((d) => bind.endsWith(d.id))?.displayName ?? bind;
  return (
    <Page title="Roles">
      <Card>
        <Subtitle2 as="h2">Role definitions</Subtitle2>
        <PagedTable<RoleDefinition>
          url="/deviceManagement/roleDefinitions"
          label="Role definitions"
          columns={[
            { key: 'name', label: 'Name', render: (r) => r.displayName },
            { key: 'type', label: 'Type', render: (r) => (r.isBuiltIn ? 'Built-in' : 'Custom') },
            { key: 'count', label: 'Permissions', render: (r) => allowed(r).length },
            { key: 'description', label: 'Description', render: (r) => r.description ?? '—' },
          ]}
        />
      </Card>
      <Card>
        <Subtitle2 as="h2">Role assignments</Subtitle2>
        {can(Permissions.rolesWrite) && <AssignRole definitions={definitions.data?.value ?? []} onCreated={() => setVersion((v) => v + 1)} />}
        <PagedTable<RoleAssignment>
          key={version}
          url="/deviceManagement/roleAssignments"
          label="Role assignments"
          columns={[
            { key: 'name', label: 'Name', render: (a) => a.displayName },
            { key: 'role', label: 'Role', render: (a) => nameOf(a['roleDefinition@odata.bind']) },
            { key: 'members', label: 'Members', render: (a) => a.members.join(', ') || '—' },
            { key: 'scopes', label: 'Scope (groups)', render: (a) => a.resourceScopes.join(', ') || 'All' },
          ]}
        />
      </Card>
    </Page>
  );
}

function AssignRole({ definitions, onCreated }: { definitions: RoleDefinition[]; onCreated: () => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState('');
  const [members, setMembers] = useState('');
  return (
    <ConfirmAction
      label="Assign role"
      title="Assign a role"
      confirmLabel="Assign"
      appearance="primary"
      onConfirm={async () => {
        await post('/deviceManagement/roleAssignments', {
          '@odata.type': '#microsoft.graph.deviceAndAppManagementRoleAssignment',
          displayName: name,
          members: members.split(',').map((m) => m.trim()).filter(Boolean),
          resourceScopes: [],
          'roleDefinition@odata.bind': `https://graph.microsoft.com/v1.0/deviceManagement/roleDefinitions/${role}`,
        });
        onCreated();
      }}
    >
      <Field label="Assignment name" required>
        <Input value={name} onChange={(_, d) => setName(d.value)} />
      </Field>
      <Field label="Role" required>
        <Dropdown
          placeholder="Choose a role"
          value={definitions.find((d) => d.id === role)?.displayName ?? ''}
          selectedOptions={role ? [role] : []}
          onOptionSelect={(_, d) => setRole(d.optionValue!)}
        >
          {definitions.map((d) => (
            <Option key={d.id} value={d.id}>
              {d.displayName}
            </Option>
          ))}
        </Dropdown>
      </Field>
      <Field label="Members (object ids or user principal names, comma-separated)" required>
        <Input value={members} onChange={(_, d) => setMembers(d.value)} />
      </Field>
    </ConfirmAction>
  );
}

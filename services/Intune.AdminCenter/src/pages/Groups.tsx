import { useState } from 'react';
import { Button, Card, Field, Input, Subtitle2 } from '@fluentui/react-components';
import { del, post } from '../api';
import { ConfirmAction, ErrorBar, Loading, Page, PagedTable, SuccessBar, useGraph } from '../components';
import { navigate } from '../router';
import { Permissions, useCan } from '../session';

export interface Group {
  id: string;
  displayName: string;
  description?: string | null;
}

interface Member {
  '@odata.type': string;
  id: string;
  userPrincipalName?: string;
}

export function GroupsPage() {
  const can = useCan();
  const [version, setVersion] = useState(0);
  return (
    <Page title="Groups" actions={can(Permissions.groupsWrite) && <CreateGroup onCreated={() => setVersion((v) => v + 1)} />}>
      <PagedTable<Group>
        key={version}
        url="/groups"
        label="Groups"
        onRow={(g) => navigate(`/groups/${g.id}`)}
        rowLabel={(g) => g.displayName}
        columns={[
          { key: 'name', label: 'Name', render: (g) => g.displayName },
          { key: 'description', label: 'Description', render: (g) => g.description ?? '—' },
          { key: 'id', label: 'Object id', render: (g) => g.id },
        ]}
      />
    </Page>
  );
}

function CreateGroup({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState('');
  return (
    <ConfirmAction
      label="New group"
      title="New group"
      confirmLabel="Create"
      appearance="primary"
      onConfirm={async () => {
        await post('/groups', { displayName: name, mailEnabled: false, securityEnabled: true, mailNickname: name.replace(/\W/g, '') || 'group' });
        setName('');
        onCreated();
      }}
    >
      <Field label="Group name" required>
        <Input value={name} onChange={(_, d) => setName(d.value)} />
      </Field>
    </ConfirmAction>
  );
}

export function GroupDetailPage({ id }: { id: string }) {
  const can = useCan();
  const group = useGraph<Group>(`/groups/${encodeURIComponent(id)}`);
  const [member, setMember] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [added, setAdded] = useState<string | null>(null);
  const [version, setVersion] = useState(0);

  const add = async () => {
    setError(null);
    setAdded(null);
    const text = member.trim();
    // A UPN names a user; anything else is taken as a managed device id.
    const reference = text.includes('@') ? `https://graph.microsoft.com/v1.0/users/${encodeURIComponent(text)}` : `https://graph.microsoft.com/v1.0/devices/${text}`;
    try {
      await post(`/groups/${encodeURIComponent(id)}/members/$ref`, { '@odata.id': reference });
      setAdded(`Added ${text}.`);
      setMember('');
      setVersion((v) => v + 1);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <Page
      title={group.data?.displayName ?? 'Group'}
      actions={
        can(Permissions.groupsWrite) &&
        group.data && (
          <ConfirmAction
            label="Delete"
            title={`Delete ${group.data.displayName}?`}
            onConfirm={async () => {
              await del(`/groups/${encodeURIComponent(id)}`);
              navigate('/groups');
            }}
          >
            <p>Policies assigned to this group stop applying to its members.</p>
          </ConfirmAction>
        )
      }
    >
      <ErrorBar error={group.error ?? error} />
      {group.loading && <Loading />}
      {can(Permissions.groupsWrite) && (
        <Card>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              add();
            }}
            style={{ display: 'flex', gap: 8, alignItems: 'end' }}
          >
            <Field label="Add member (user principal name or managed device id)">
              <Input value={member} onChange={(_, d) => setMember(d.value)} style={{ minWidth: 360 }} />
            </Field>
            <Button type="submit" appearance="primary" disabled={!member.trim()}>
              Add
            </Button>
          </form>
          <SuccessBar text={added} />
        </Card>
      )}
      <Subtitle2 as="h2">Members</Subtitle2>
      <PagedTable<Member & { id: string }>
        key={version}
        url={`/groups/${encodeURIComponent(id)}/members`}
        label="Members"
        columns={[
          { key: 'kind', label: 'Type', render: (m) => (m['@odata.type'].endsWith('user') ? 'User' : 'Device') },
          {
            key: 'id',
            label: 'Member',
            render: (m) =>
              m['@odata.type'].endsWith('device') ? (
                <a href={`/devices/${m.id}`} onClick={(e) => { e.preventDefault(); navigate(`/devices/${m.id}`); }}>
                  {m.id}
                </a>
              ) : (
                m.userPrincipalName ?? m.id
              ),
          },
          ...(can(Permissions.groupsWrite)
            ? [
                {
                  key: 'remove',
                  label: 'Remove',
                  render: (m: Member) => (
                    <ConfirmAction
                      label="Remove"
                      title={`Remove ${m.userPrincipalName ?? m.id}?`}
                      onConfirm={async () => {
                        await del(`/groups/${encodeURIComponent(id)}/members/${encodeURIComponent(m.id)}/$ref`);
                        setVersion((v) => v + 1);
                      }}
                    />
                  ),
                },
              ]
            : []),
        ]}
      />
    </Page>
  );
}

import { createContext, useContext } from 'react';
import type { Session } from './auth';

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}

/** Whether the signed-in user's roles grant an Intune resource operation; the API enforces it regardless. */
export function useCan() {
  const session = useSession();
  return (permission: string) => session.permissions.includes(permission);
}

// Intune's resource operation names, as the gateway's roles grant them.
export const Permissions = {
  devicesUpdate: 'Microsoft.Intune_ManagedDevices_Update',
  devicesDelete: 'Microsoft.Intune_ManagedDevices_Delete',
  retire: 'Microsoft.Intune_RemoteTasks_Retire',
  wipe: 'Microsoft.Intune_RemoteTasks_Wipe',
  remoteLock: 'Microsoft.Intune_RemoteTasks_RemoteLock',
  sync: 'Microsoft.Intune_RemoteTasks_SyncDevice',
  reboot: 'Microsoft.Intune_RemoteTasks_RebootNow',
  resetPasscode: 'Microsoft.Intune_RemoteTasks_ResetPasscode',
  complianceCreate: 'Microsoft.Intune_DeviceCompliancePolices_Create',
  complianceUpdate: 'Microsoft.Intune_DeviceCompliancePolices_Update',
  complianceDelete: 'Microsoft.Intune_DeviceCompliancePolices_Delete',
  complianceAssign: 'Microsoft.Intune_DeviceCompliancePolices_Assign',
  configurationCreate: 'Microsoft.Intune_DeviceConfigurations_Create',
  configurationUpdate: 'Microsoft.Intune_DeviceConfigurations_Update',
  configurationDelete: 'Microsoft.Intune_DeviceConfigurations_Delete',
  configurationAssign: 'Microsoft.Intune_DeviceConfigurations_Assign',
  enrollmentWrite: 'Microsoft.Intune_DeviceEnrollment_Update',
  organizationUpdate: 'Microsoft.Intune_Organization_Update',
  groupsWrite: 'Microsoft.Intune_Groups_Update',
  rolesWrite: 'Microsoft.Intune_Roles_Update',
} as const;

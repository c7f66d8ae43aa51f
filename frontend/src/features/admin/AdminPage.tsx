import { PageHeader } from "../../components/ui";
import { useCurrentUser } from "../auth/useCurrentUser";
import { TicketTrackersSection } from "../integrations/TicketTrackersSection";
import { TeamsSection } from "./TeamsSection";
import { TokensSection } from "./TokensSection";
import { UsersSection } from "./UsersSection";
import "../pages.css";

/** Administration for admins: users, teams and members, API tokens (the server refuses others). */
export function AdminPage() {
  const user = useCurrentUser();
  if (user.role !== "admin") {
    return (
      <>
        <PageHeader title="Administration" />
        <p>Only admins manage users, teams and API tokens.</p>
      </>
    );
  }
  return (
    <>
      <PageHeader title="Administration" />
      <div className="stack">
        <UsersSection currentUser={user.username} />
        <TeamsSection />
        <TokensSection />
        <TicketTrackersSection />
      </div>
    </>
  );
}

export { Badge, type Tone } from "./Badge";
export { Button } from "./Button";
export { DateField, parseDay } from "./DateField";
export { Dialog } from "./Dialog";
export { type Option, SelectField, TextAreaField, TextField } from "./Field";
export { Pager } from "./Pager";
export { PageHeader, Section } from "./Section";
export { EmptyState, ErrorMessage, Loading } from "./Status";
export { ToggleGroup } from "./ToggleGroup";

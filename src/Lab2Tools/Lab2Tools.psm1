# Lab2Tools: the cmdlets live in Lab2Tools.dll (a nested module). This script only makes sure servers and
# captures started in this session stop when the module is removed.
$ExecutionContext.SessionState.Module.OnRemove = {
    [Lab2Tools.Commands.ModuleLifetime]::OnRemove()
}

import Handlebars from 'handlebars'

// The public sign-up page, in the default theme's look (its stylesheet and classes). Rendered here,
// not through the theme's engine, because a plugin's public routes live under /api/v1.
const hb = Handlebars.create()
const layout = (body: string) => hb.compile(`<!doctype html>
<html lang="es">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{{title}} · Cuenta Maestra</title>
  <link rel="icon" href="/assets/logo.svg" type="image/svg+xml">
  <link rel="stylesheet" href="/assets/site.css">
</head>
<body>
  <header class="topbar"><a class="brand" href="/"><img src="/assets/logo.svg" alt="" width="28" height="28"> Cuenta Maestra</a></header>
  <main class="container">${body}</main>
</body>
</html>`)

const field = (name: string, label: string, type = 'text', extra = '') => `
    <label for="${name}">${label}</label>
    <input type="${type}" id="${name}" name="${name}" {{#if values.${name}}}value="{{values.${name}}}"{{/if}} ${extra}>
    {{#if fields.${name}}}<p class="flash flash-error">{{fields.${name}}}</p>{{/if}}`

export const formPage = layout(`
<section class="card narrow">
  <h1>Alta de distribuidor</h1>
  <p class="muted">Cree su perfil y la cuenta de su empresa como distribuidor de <strong>{{parentName}}</strong>. Le enviaremos enlaces para verificar su correo y su móvil; después, su distribuidor activará la cuenta.</p>
  {{#if error}}<p class="flash flash-error" role="alert">{{error}}</p>{{/if}}
  <form method="post" action="{{action}}">
    <input type="hidden" name="form" value="{{form}}">
    ${field('legalName', 'Razón social de su empresa', 'text', 'required maxlength="200"')}
    ${field('rfc', 'RFC de su empresa (opcional)', 'text', 'maxlength="13"')}
    ${field('name', 'Su nombre completo', 'text', 'required maxlength="200"')}
    ${field('email', 'Correo electrónico', 'email', 'required maxlength="254"')}
    ${field('mobile', 'Número móvil', 'tel', 'required maxlength="20"')}
    ${field('password', 'Contraseña (mínimo 8 caracteres)', 'password', 'required autocomplete="new-password"')}
    ${field('passwordConfirmation', 'Confirme la contraseña', 'password', 'required autocomplete="new-password"')}
    <div hidden aria-hidden="true"><label for="website">Sitio web (deje este campo vacío)</label><input type="text" id="website" name="website" tabindex="-1" autocomplete="off"></div>
    <button type="submit" class="primary">Crear mi cuenta</button>
  </form>
  <p class="muted"><a href="/login">Ya tengo un perfil</a></p>
</section>`)

export const messagePage = layout(`
<section class="card narrow">
  <h1>{{heading}}</h1>
  <p>{{message}}</p>
  {{#if login}}<p><a href="/login">Iniciar sesión</a></p>{{/if}}
</section>`)

// Renders /docs.json with Swagger UI (served locally from the swagger-ui-dist package; no CDN).
window.ui = SwaggerUIBundle({ url: '/docs.json', dom_id: '#docs', deepLinking: true, tryItOutEnabled: true });
